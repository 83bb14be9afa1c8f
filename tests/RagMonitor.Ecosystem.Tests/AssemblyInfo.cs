// The Meter and ActivitySource are process-wide: tests that observe them run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
