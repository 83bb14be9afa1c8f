using Microsoft.CodeAnalysis;

namespace RagMonitor.Generators.Diagnostics;

/// <summary>Every RagMonitor diagnostic. IDs are never reused; each has a page docs/diagnostics/RMONnnn.md.</summary>
internal static class DiagnosticDescriptors
{
    public const string DeclarationCategory = "RagMonitor.Declaration";
    public const string NamingCategory = "RagMonitor.Naming";

    public const string NotPartialId = "RMON001";
    public const string PartialHasBodyId = "RMON002";
    public const string MissingCoreMethodId = "RMON003";
    public const string UnsupportedShapeId = "RMON004";
    public const string NameNotConstantId = "RMON005";
    public const string EmptyNameId = "RMON006";
    public const string BothAttributesId = "RMON007";
    public const string AmbiguousMonitorId = "RMON008";
    public const string CaseOrSeparatorVariantId = "RMON009";
    public const string ProbableTypoId = "RMON010";
    public const string OutsideCatalogId = "RMON011";
    public const string NamingStyleId = "RMON012";
    public const string GeneratorFailureId = "RMON013";

    public static readonly DiagnosticDescriptor NotPartial = Error(NotPartialId,
        "Monitored method and its containing types must be partial",
        "'{0}' must be partial (together with every containing type) so that RagMonitor can generate its wrapper");

    public static readonly DiagnosticDescriptor PartialHasBody = Error(PartialHasBodyId,
        "Monitored partial method must not have a body",
        "'{0}' already has a body; declare it without one and put the body in '{1}'");

    public static readonly DiagnosticDescriptor MissingCoreMethod = Error(MissingCoreMethodId,
        "No matching Core method",
        "'{0}' needs a method '{1}' with the same signature ({2})");

    public static readonly DiagnosticDescriptor UnsupportedShape = Error(UnsupportedShapeId,
        "Unsupported monitored method signature",
        "RagMonitor cannot wrap '{0}': {1}");

    public static readonly DiagnosticDescriptor NameNotConstant = Error(NameNotConstantId,
        "Stage or request name must be a compile-time constant",
        "The name given to [{0}] must be a compile-time constant string");

    public static readonly DiagnosticDescriptor EmptyName = Error(EmptyNameId,
        "Stage or request name must not be empty",
        "The name given to [{0}] must not be empty or white space");

    public static readonly DiagnosticDescriptor BothAttributes = Error(BothAttributesId,
        "A method cannot be both a stage and a request",
        "'{0}' has both [Stage] and [MonitoredRequest]; keep one");

    public static readonly DiagnosticDescriptor AmbiguousMonitor = Error(AmbiguousMonitorId,
        "More than one PerformanceMonitor member",
        "'{0}' has more than one field or property of type PerformanceMonitor ({1}); keep exactly one, or none to use PerformanceMonitor.Default");

    public static readonly DiagnosticDescriptor CaseOrSeparatorVariant = CompilationEndWarning(CaseOrSeparatorVariantId,
        "Stage name differs from another only in case or separators",
        "Stage name '{0}' differs from '{1}' only in case or separators; use '{1}'");

    public static readonly DiagnosticDescriptor ProbableTypo = CompilationEndWarning(ProbableTypoId,
        "Stage name is probably a typo of another",
        "Stage name '{0}' is very close to '{1}'; is it a typo?");

    public static readonly DiagnosticDescriptor OutsideCatalog = Warning(OutsideCatalogId,
        "Stage name is not in the declared catalog",
        "Stage name '{0}' is not in the stage catalog{1}");

    public static readonly DiagnosticDescriptor NamingStyle = Warning(NamingStyleId,
        "Stage name breaks the configured naming style",
        "Stage name '{0}' is not {1}; use '{2}'");

    public static readonly DiagnosticDescriptor GeneratorFailure = Error(GeneratorFailureId,
        "RagMonitor's generator failed on a declaration",
        "RagMonitor could not generate the wrapper of '{0}' ({1}: {2}); other declarations are not affected. Please report this with the declaration.");

    /// <summary>The help page of a diagnostic.</summary>
    public static string HelpLink(string id) => $"https://github.com/ragmonitor/ragmonitor/blob/main/docs/diagnostics/{id}.md";

    // Not configurable: a declaration RagMonitor skips is explained in every build (the first law), and a skipped
    // declaration's generated body only throws, so the build must not succeed with it.
    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, DeclarationCategory, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(id),
            customTags: WellKnownDiagnosticTags.NotConfigurable);

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, NamingCategory, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(id));

    // Reported once per compilation, after every name has been seen (IDE: full solution analysis).
    private static DiagnosticDescriptor CompilationEndWarning(string id, string title, string message) =>
        new(id, title, message, NamingCategory, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(id),
            customTags: WellKnownDiagnosticTags.CompilationEnd);
}
