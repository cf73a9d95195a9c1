using R2PTracker.Verify.Commands;

return await Cli.RunAsync(args, Console.Out, Console.Error);
