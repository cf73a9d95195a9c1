using R2PTracker.Gateway;
using R2PTracker.Gateway.Proxy;
using R2PTracker.Gateway.Security;
using R2PTracker.Gateway.Staff;
using R2PTracker.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("gateway");
builder.AddGateway();

var app = builder.Build();
if (args is ["staff", ..]) return await StaffCommand.RunAsync(args, app.Services);

app.UseTrustedProxies();
app.UseSecurityHeaders();
app.UseServiceDefaults();
app.MapGateway();
await app.RunAsync();
return 0;

public partial class Program;
