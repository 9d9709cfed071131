return DitML.Cli.DitMLCli.Run(args, Console.Out, Console.Error);
