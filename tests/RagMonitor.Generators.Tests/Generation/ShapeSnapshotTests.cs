namespace RagMonitor.Generators.Tests.Generation;

/// <summary>
/// For every supported shape: the generated code matches its committed snapshot, compiles with no warning
/// under nullable enable + warnings as errors, RagMonitor's analyzer reports nothing, and a second
/// generator run is fully cached with no Roslyn object held by any step.
/// </summary>
public sealed class ShapeSnapshotTests
{
    [Theory]
    [MemberData(nameof(ShapeCases.Names), MemberType = typeof(ShapeCases))]
    public void Generated_code_matches_snapshot_and_compiles_cleanly(string caseName)
    {
        var result = GeneratorHarness.Run(ShapeCases.Source(caseName)).AssertClean();
        Snapshot.Verify(caseName, result);
    }
}
