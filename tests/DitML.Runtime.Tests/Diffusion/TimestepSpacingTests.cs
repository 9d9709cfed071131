using DitML.Diffusion;

namespace DitML.Runtime.Tests.Diffusion;

[TestClass]
public sealed class TimestepSpacingTests
{
    [TestMethod]
    public void Official250()
    {
        var s = TimestepSpacing.Parse(1000, "250");
        Assert.HasCount(250, s);
        CollectionAssert.AreEqual(new[] { 0, 4, 8, 12 }, s[..4]);
        CollectionAssert.AreEqual(new[] { 991, 995, 999 }, s[^3..]);
    }

    [TestMethod]
    public void Official100And50()
    {
        var hundred = TimestepSpacing.Parse(1000, "100");
        CollectionAssert.AreEqual(new[] { 0, 10, 20 }, hundred[..3]);
        CollectionAssert.AreEqual(new[] { 989, 999 }, hundred[^2..]);
        var fifty = TimestepSpacing.Parse(1000, "50");
        CollectionAssert.AreEqual(new[] { 0, 20, 41, 61 }, fifty[..4]);   // round half to even on 20.387…·k
        CollectionAssert.AreEqual(new[] { 979, 999 }, fifty[^2..]);
    }

    [TestMethod]
    public void DdimFormUsesTheExactIntegerStride()
    {
        CollectionAssert.AreEqual(Enumerable.Range(0, 50).Select(i => 20 * i).ToArray(), TimestepSpacing.Parse(1000, "ddim50"));
        CollectionAssert.AreEqual(Enumerable.Range(0, 25).Select(i => 40 * i).ToArray(), TimestepSpacing.Parse(1000, "ddim25"));
    }

    [TestMethod]
    public void SectionsSplitTheRange()
    {
        var s = TimestepSpacing.Parse(300, "10,15,20");
        Assert.HasCount(45, s);
        Assert.AreEqual(10, s.Count(t => t < 100));
        Assert.AreEqual(15, s.Count(t => t is >= 100 and < 200));
        Assert.AreEqual(299, s[^1]);
    }

    [TestMethod]
    [DataRow("0")]
    [DataRow("-3")]
    [DataRow("abc")]
    [DataRow("1001")]
    [DataRow("ddim999")]
    public void BadSpacingsNameTheSetting(string spacing)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => TimestepSpacing.Parse(1000, spacing));
        StringAssert.StartsWith(e.Message, "steps:");
    }
}
