using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RagMonitor.Generators.Parsing;

/// <summary>How symbols are written into generated code and into diagnostic messages.</summary>
internal static class SymbolText
{
    /// <summary><c>global::</c>-qualified, keywords for special types, nullable annotations kept.</summary>
    public static readonly SymbolDisplayFormat FullyQualified = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>A namespace without <c>global::</c>.</summary>
    public static readonly SymbolDisplayFormat Namespace = SymbolDisplayFormat.FullyQualifiedFormat
        .WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);

    /// <summary>Short names for messages (<c>Task&lt;IReadOnlyList&lt;string&gt;&gt;</c>).</summary>
    public static readonly SymbolDisplayFormat Short = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypes,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes
            | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers
            | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static string Full(ITypeSymbol type) => type.ToDisplayString(FullyQualified);

    public static string ShortName(ITypeSymbol type) => type.ToDisplayString(Short);

    /// <summary>An identifier as it can be written in source (<c>@class</c> for a keyword).</summary>
    public static string Escape(string identifier) =>
        SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None ? "@" + identifier : identifier;

    /// <summary>A C# string literal.</summary>
    public static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);
}
