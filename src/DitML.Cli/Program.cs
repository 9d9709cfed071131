DitML.Native.CpuInstructionSet.Apply();                              // before libtorch's first kernel
return DitML.Cli.DitMLCli.Run(args, Console.Out, Console.Error);
