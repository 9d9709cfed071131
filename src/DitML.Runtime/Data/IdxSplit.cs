namespace DitML.Data;

/// <summary>Which half of an MNIST-style dataset to read.</summary>
public enum IdxSplit
{
    /// <summary>The training files, <c>train-images-idx3-ubyte</c> and <c>train-labels-idx1-ubyte</c>.</summary>
    Train,

    /// <summary>The test files, <c>t10k-images-idx3-ubyte</c> and <c>t10k-labels-idx1-ubyte</c>.</summary>
    Test,
}
