using System;

namespace RagMonitor;

/// <summary>
/// Records a parameter of a <see cref="StageAttribute"/> method as stage metadata, or, on the return
/// value (<c>[return: StageMetadata("documents_retrieved")]</c>) of a method returning a collection,
/// records the collection's count.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.ReturnValue, AllowMultiple = false, Inherited = false)]
public sealed class StageMetadataAttribute : Attribute
{
    /// <summary>Creates the attribute; the key defaults to the parameter name in snake_case.</summary>
    public StageMetadataAttribute()
    {
    }

    /// <summary>Creates the attribute with an explicit metadata key.</summary>
    /// <param name="key">The metadata key written to the log.</param>
    public StageMetadataAttribute(string key)
    {
        Key = key;
    }

    /// <summary>The metadata key, or <see langword="null"/> to derive it from the parameter name.</summary>
    public string? Key { get; }
}
