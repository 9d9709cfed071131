namespace DitML.Metrics;

/// <summary>Eigendecomposition of a real symmetric matrix (row-major n×n, double).</summary>
public interface ISymmetricEigensolver
{
    /// <summary>Eigenvalues (ascending) and, when <paramref name="vectors"/> is true, the eigenvectors as columns of an n×n row-major matrix.</summary>
    (double[] Values, double[]? Vectors) Decompose(ReadOnlySpan<double> matrix, int n, bool vectors);
}
