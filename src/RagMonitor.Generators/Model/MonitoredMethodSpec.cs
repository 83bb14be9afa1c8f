using RagMonitor.Generators.Helpers;

namespace RagMonitor.Generators.Model;

/// <summary>One containing type declaration, outermost first: <c>partial {Keyword} {NameWithTypeParameters}</c>.</summary>
internal sealed record ContainingTypeSpec(string Keyword, string NameWithTypeParameters);

/// <summary>Where a monitored method lives: one generated file per containing type.</summary>
/// <param name="HintName">The generated file name, <c>{Namespace}.{Type}.g.cs</c>.</param>
/// <param name="Namespace">The namespace, or <see langword="null"/> for the global namespace.</param>
/// <param name="FullName">The containing type, <c>global::</c>-qualified (with its type parameters).</param>
/// <param name="Types">The containing types, outermost first.</param>
internal sealed record TypeLocationSpec(string HintName, string? Namespace, string FullName, EquatableArray<ContainingTypeSpec> Types);

/// <summary>A parameter value recorded as stage metadata.</summary>
/// <param name="Key">The metadata key.</param>
/// <param name="ValueExpression">The expression converting the parameter to a <c>MetadataValue</c> (or, with <paramref name="Count"/>, the parameter itself).</param>
/// <param name="AfterCall">Recorded after the call (an <c>out</c> parameter) rather than before.</param>
/// <param name="Count">For a collection parameter: how its count is read (the count is what is recorded).</param>
internal sealed record ParameterMetadataSpec(string Key, string ValueExpression, bool AfterCall, ResultCountSpec? Count);

/// <summary>The <c>[RequestId]</c> parameter of a request.</summary>
/// <param name="Parameter">The escaped parameter name.</param>
/// <param name="IsString">It is a string, passed as it is; any other type is converted by <c>MetadataValue.ToText</c>, only when the monitor is enabled.</param>
internal sealed record RequestIdSpec(string Parameter, bool IsString);

/// <summary>One parameter of a monitored method.</summary>
/// <param name="Name">The escaped parameter name.</param>
/// <param name="Declaration">The declaration as emitted on the implementing part (modifiers, type, name; no default).</param>
/// <param name="ArgumentPrefix">The argument modifier used to pass it on (<c>"ref "</c>, <c>"out "</c>, <c>"in "</c> or empty).</param>
/// <param name="Metadata">The metadata recorded from it, if it is marked <c>[StageMetadata]</c>.</param>
internal sealed record ParameterSpec(string Name, string Declaration, string ArgumentPrefix, ParameterMetadataSpec? Metadata);

/// <summary>How <c>[return: StageMetadata("key")]</c> counts the result.</summary>
/// <param name="Key">The metadata key.</param>
/// <param name="Member">The member read (<c>Count</c> or <c>Length</c>).</param>
/// <param name="CastTo">When the member is reached through an interface, the interface to cast to.</param>
/// <param name="NullConditional">The result type may be null (use <c>?.</c>).</param>
internal sealed record ResultCountSpec(string Key, string Member, string? CastTo, bool NullConditional)
{
    /// <summary>The count read from <paramref name="receiver"/>, as an expression of type <c>int?</c>/<c>long?</c> or <c>int</c>/<c>long</c>.</summary>
    public string Expression(string receiver)
    {
        var target = CastTo is null ? receiver : $"(({CastTo}{(NullConditional ? "?" : string.Empty)}){receiver})";
        return target + (NullConditional ? "?." : ".") + Member;
    }
}

/// <summary>Everything the emitter needs for one monitored method: strings, enums and equatable arrays only.</summary>
/// <remarks>
/// <see cref="SkippedBy"/> is set for a declaration the generator does not wrap (the id of the error that says why):
/// only its signature is meaningful, and it is implemented by a body that throws.
/// </remarks>
internal sealed record MonitoredMethodSpec(
    TypeLocationSpec Location,
    MonitorKind Kind,
    string MonitoredName,
    string MethodName,
    string CoreName,
    string Modifiers,
    string ReturnType,
    ReturnShape Shape,
    bool IsStatic,
    EquatableArray<string> TypeParameters,
    EquatableArray<string> ConstraintClauses,
    EquatableArray<ParameterSpec> Parameters,
    string MonitorExpression,
    RequestIdSpec? RequestId,
    ResultCountSpec? ResultCount,
    string? SkippedBy);

/// <summary>One generated file: the monitored methods of one containing type.</summary>
/// <param name="HintName">The file name: <see cref="TypeLocationSpec.HintName"/>, numbered when another type's equals it ignoring case.</param>
/// <param name="Location">The containing type.</param>
/// <param name="Methods">Its monitored methods.</param>
internal sealed record TypeFileSpec(string HintName, TypeLocationSpec Location, EquatableArray<MonitoredMethodSpec> Methods);
