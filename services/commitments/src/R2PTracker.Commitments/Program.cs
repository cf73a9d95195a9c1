using R2PTracker.Commitments;
using R2PTracker.Commitments.Pledges.Importing;
using R2PTracker.Commitments.Seeding;
using R2PTracker.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("commitments");
builder.AddMessaging();
builder.AddPledges();
// The commands write as a staff request would, but take no requests: they need no signing key.
var command = args is ["seed" or "import", ..];
if (!command) builder.AddInternalAuthentication(InternalAuth.Audiences.Commitments);

var app = builder.Build();
if (args is ["seed", ..]) return await Seeder.RunAsync(app.Services);
if (args is ["import", ..]) return await ImportCommand.RunAsync(args, app.Services);

app.UseServiceDefaults();
app.UseBodySizeLimit();
app.UseAuthentication();
app.UseAuthorization();
app.MapPledges();
app.MapApiDescription();
await app.RunAsync();
return 0;

public partial class Program;
