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
}
