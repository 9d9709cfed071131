namespace DitML.ML.Tests;
