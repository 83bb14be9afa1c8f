using System;
using System.Collections.Generic;
using System.Linq;

namespace RagMonitor.Tests.Monitor;

public sealed class CompletedRequestPoolTests
{
    [Fact]
    public void The_idle_records_never_exceed_the_capacity_and_a_rent_takes_a_batch_for_its_thread()
    {
        var pool = new CompletedRequestPool(capacity: 8);
        var fresh = pool.Rent();
        Assert.Same(pool, fresh.Pool);

        pool.ReturnMany(Enumerable.Range(0, 20).Select(_ => new CompletedRequest(pool)).ToList());
        Assert.Equal(8, pool.Count);

        var rented = pool.Rent();
        Assert.Same(pool, rented.Pool);
        Assert.Equal(0, pool.Count); // the other seven wait in this thread's cache

        var seen = new HashSet<CompletedRequest> { rented };
        for (var i = 0; i < 7; i++)
        {
            Assert.True(seen.Add(pool.Rent()));
        }

        Assert.Equal(0, pool.Count);
        Assert.NotSame(rented, pool.Rent()); // cache and stack empty: a new record
    }

    [Fact]
    public void Renting_from_another_pool_gives_the_cached_records_back_to_their_own_pool()
    {
        var first = new CompletedRequestPool(capacity: 64);
        var second = new CompletedRequestPool(capacity: 64);
        first.ReturnMany(Enumerable.Range(0, 5).Select(_ => new CompletedRequest(first)).ToList());
        first.Rent();
        Assert.Equal(0, first.Count);

        var other = second.Rent();
        Assert.Same(second, other.Pool);
        Assert.Equal(4, first.Count);
    }

    [Fact]
    public void A_released_record_holds_no_references_and_goes_back_to_its_pool()
    {
        var pool = new CompletedRequestPool(capacity: 4);
        var record = new CompletedRequest(pool) { RequestName = "ask", RequestId = "id", ErrorType = "X" };
        var stages = record.ResizeStages(2);
        stages[0].Name = "retrieval";
        stages[1].Name = "generation";
        record.Release();
        Assert.Equal(1, pool.Count);
        Assert.Equal(0, record.StageCount);
        Assert.Null(record.RequestId);
        Assert.Null(record.ErrorType);
        Assert.Null(record.ResizeStages(2)[0].Name);
    }

    [Fact]
    public void A_record_returned_by_the_thread_that_rented_it_is_reused_without_the_shared_stack()
    {
        var pool = new CompletedRequestPool(capacity: 4);
        var record = pool.Rent(); // nothing idle: a new record, and this thread's cache now serves this pool
        pool.Return(record);
        Assert.Equal(0, pool.Count);
        Assert.Same(record, pool.Rent());
    }

    [Fact]
    public void A_record_goes_back_to_its_pool_without_the_room_an_unusually_large_request_needed()
    {
        var pool = new CompletedRequestPool(capacity: 4);
        var record = pool.Rent();
        for (var i = 0; i < 100; i++)
        {
            var name = "stage-" + i;
            var order = record.GetOrAddStage(name, i).Order;
            for (var k = 0; k < 5; k++)
            {
                record.SetMetadata(order, "key-" + k, i * k, accumulate: false);
            }
        }

        Assert.Equal(100, record.StageCount);
        Assert.True(record.MetadataCapacity >= 500);
        record.Release();
        Assert.InRange(record.StageCapacity, 1, CompletedRequest.MaxPooledStages);
        Assert.InRange(record.MetadataCapacity, 0, CompletedRequest.MaxPooledMetadata);

        // Still a working record afterwards.
        var again = pool.Rent();
        Assert.Same(record, again);
        var stage = again.GetOrAddStage("retrieval", 1).Order;
        again.SetMetadata(stage, "top_k", 5, accumulate: false);
        Assert.Equal(1, again.StageCount);
    }

    [Fact]
    public void A_pooled_record_keeps_its_arrays_in_the_oldest_generation_from_the_start()
    {
        // Records created while the writer has a backlog wait in the queue; their arrays (most of their bytes) are not
        // copied from generation to generation on the way.
        var pool = new CompletedRequestPool(capacity: 8);
        var record = pool.Rent();
        record.SetMetadata(0, "key", MetadataValue.FromInteger(1), accumulate: false);
        for (var order = 0; order < 20; order++)
        {
            record.ResizeStages(order + 1);
        }

        Assert.All(record.Arrays, array => Assert.Equal(GC.MaxGeneration, GC.GetGeneration(array)));

        var unpooled = new CompletedRequest(pool: null);
        Assert.Equal(0, GC.GetGeneration(unpooled.Arrays[0]));
    }
}
