namespace DitML.Runtime.Tests;
