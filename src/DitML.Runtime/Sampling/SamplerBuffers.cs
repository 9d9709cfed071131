namespace DitML.Sampling;

/// <summary>Work buffers of one batch, allocated once per sampling call and reused across steps.</summary>
internal sealed class SamplerBuffers(int size, bool learnSigma)
{
    public float[] Eps { get; } = new float[size];

    public float[] Variance { get; } = learnSigma ? new float[size] : [];

    public float[] Start { get; } = new float[size];

    public float[] Previous { get; } = new float[size];

    public float[] Scratch { get; } = new float[size];
}
