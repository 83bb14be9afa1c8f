// Each test packs, restores and builds whole projects in child processes: two at once on a 2-core machine only slow
// each other down (and CI runs the other test projects at the same time), so this project runs its tests one by one.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
