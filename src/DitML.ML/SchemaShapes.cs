using Microsoft.ML.Data;
using System.Reflection;
using Microsoft.ML;

namespace DitML.ML;

/// <summary>
/// Builds <see cref="SchemaShape"/> columns. ML.NET keeps SchemaShape.Column's constructor internal, so DitML asks ML.NET's
/// own (non-public) SchemaShape.Create(DataViewSchema) to describe a schema, the way its built-in estimators do.
/// </summary>
internal static class SchemaShapes
{
    private static readonly MethodInfo Create = typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public,
        [typeof(DataViewSchema)]) ?? throw new MissingMethodException("this ML.NET version lacks SchemaShape.Create(DataViewSchema)");

    /// <summary>The shape of a schema.</summary>
    public static SchemaShape Of(DataViewSchema schema) => (SchemaShape)Create.Invoke(null, [schema])!;

    /// <summary>True when the shape has a column of that name.</summary>
    public static bool Has(SchemaShape shape, string name) => shape.Any(c => c.Name == name);

    /// <summary>The shape of a vector-of-Single column (SchemaShape.Column has no public constructor).</summary>
    public static SchemaShape.Column FloatVector(string name)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(name, new VectorDataViewType(NumberDataViewType.Single));
        return Of(builder.ToSchema()).Single();
    }
}
