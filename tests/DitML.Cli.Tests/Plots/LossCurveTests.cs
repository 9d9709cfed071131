using DitML.Cli.Plots;
using DitML.Imaging;

namespace DitML.Cli.Tests.Plots;

[TestClass]
public sealed class LossCurveTests
{
    [TestMethod]
    public void WritesAPngOfTheRequestedSizeWithTheCurvesDrawn()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-loss").FullName;
        try
        {
            string log = Path.Combine(dir, "log.jsonl");
            File.WriteAllLines(log, Enumerable.Range(1, 40).Select(i =>
                $"{{\"step\":{i * 50},\"loss\":{1.0 / i:R},\"mse\":{0.9 / i:R},\"vb\":{0.1 / i:R},\"steps_per_second\":2.0}}"));
            string png = Path.Combine(dir, LossCurve.FileName);

            Assert.IsTrue(LossCurve.Write(log, png, 640, 360));

            var image = ImageDecoder.Decode(png, 3);
            Assert.AreEqual(640, image.Width);
            Assert.AreEqual(360, image.Height);
            // Coloured (non-gray) pixels exist only where a series is drawn.
            int coloured = 0;
            for (int i = 0; i < image.Pixels.Length; i += 3)
            {
                int r = image.Pixels[i], g = image.Pixels[i + 1], b = image.Pixels[i + 2];
                if (Math.Max(r, Math.Max(g, b)) - Math.Min(r, Math.Min(g, b)) > 60) coloured++;
            }
            Assert.IsGreaterThan(500, coloured, "the three series should be drawn in colour");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void AScheduledLearningRateIsDrawnAndAConstantOneIsNot()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-loss").FullName;
        try
        {
            int Coloured(Func<int, double> rate)
            {
                string log = Path.Combine(dir, "log.jsonl"), png = Path.Combine(dir, LossCurve.FileName);
                File.WriteAllLines(log, Enumerable.Range(1, 40).Select(i => System.FormattableString.Invariant(
                    $"{{\"step\":{i * 50},\"loss\":{1.0 / i:R},\"lr\":{rate(i):R}}}")));
                Assert.IsTrue(LossCurve.Write(log, png, 640, 360));
                var image = ImageDecoder.Decode(png, 3);
                int coloured = 0;
                for (int i = 0; i < image.Pixels.Length; i += 3)
                {
                    int r = image.Pixels[i], g = image.Pixels[i + 1], b = image.Pixels[i + 2];
                    if (Math.Max(r, Math.Max(g, b)) - Math.Min(r, Math.Min(g, b)) > 60) coloured++;
                }
                return coloured;
            }
            int constant = Coloured(_ => 3e-4), scheduled = Coloured(i => 3e-4 * (1 - i / 41.0));
            Assert.IsGreaterThan(constant + 200, scheduled, $"the decaying rate is a second curve ({scheduled} coloured pixels against {constant})");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void ALogWithOnePointWritesNothing()
    {
        string dir = Directory.CreateTempSubdirectory("ditml-loss").FullName;
        try
        {
            string log = Path.Combine(dir, "log.jsonl");
            File.WriteAllText(log, "{\"step\":50,\"loss\":0.5}\n");
            string png = Path.Combine(dir, LossCurve.FileName);
            Assert.IsFalse(LossCurve.Write(log, png));
            Assert.IsFalse(File.Exists(png));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
