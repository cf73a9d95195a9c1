using R2PTracker.Notifications;
using R2PTracker.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("notifications");
builder.AddNotifications();

var app = builder.Build();
app.UseServiceDefaults();
app.UseBodySizeLimit();
app.MapNotifications();
await app.RunAsync();

public partial class Program;
