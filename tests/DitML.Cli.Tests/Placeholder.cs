namespace DitML.Cli.Tests;
