using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace DitML.ML.Generation;

/// <summary>
/// Marks an MLImage member as an image column of unknown size. ML.NET's own ImageType attribute needs a fixed size at
/// compile time, which a mapping shared by every model cannot have.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class AnySizeImageAttribute : DataViewTypeAttribute
{
    /// <inheritdoc />
    public override bool Equals(DataViewTypeAttribute other) => other is AnySizeImageAttribute;

    /// <inheritdoc />
    public override int GetHashCode() => typeof(AnySizeImageAttribute).GetHashCode();

    /// <inheritdoc />
    public override void Register() => DataViewTypeManager.Register(new ImageDataViewType(), typeof(MLImage), this);
}
