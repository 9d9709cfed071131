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
