namespace RagMonitor.Generators.Generator;

/// <summary>Names of the generator's pipeline steps, for <c>WithTrackingName</c> and the caching tests.</summary>
internal static class TrackingNames
{
    public const string TreeMethods = nameof(TreeMethods);
    public const string StageMethods = nameof(StageMethods);
    public const string RequestMethods = nameof(RequestMethods);
    public const string ValidStageMethods = nameof(ValidStageMethods);
    public const string ValidRequestMethods = nameof(ValidRequestMethods);
    public const string StageDiagnostics = nameof(StageDiagnostics);
    public const string RequestDiagnostics = nameof(RequestDiagnostics);
    public const string HasDeclarationErrors = nameof(HasDeclarationErrors);
    public const string AllMethods = nameof(AllMethods);
    public const string TypeFiles = nameof(TypeFiles);

    /// <summary>Every step name above.</summary>
    public static readonly string[] All = [TreeMethods, StageMethods, RequestMethods, ValidStageMethods, ValidRequestMethods, StageDiagnostics, RequestDiagnostics, HasDeclarationErrors, AllMethods, TypeFiles];
}
