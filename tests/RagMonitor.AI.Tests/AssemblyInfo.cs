// The ActivitySource and PerformanceMonitor.Default are process-wide: the tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
