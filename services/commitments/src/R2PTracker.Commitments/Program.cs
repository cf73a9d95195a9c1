using R2PTracker.Commitments;
using R2PTracker.Commitments.Pledges.Importing;
using R2PTracker.Commitments.Seeding;
using R2PTracker.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("commitments");
builder.AddMessaging();
// The commands write as a staff request would, but take no requests and run no daemon: they need
// neither the internal signing key nor the log's key.
var command = args is ["seed" or "import", ..];
builder.AddPledges(withLog: !command);
if (!command) builder.AddInternalAuthentication(InternalAuth.Audiences.Commitments, jtiSchema: Configuration.Schema);

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
