using System;
using System.Threading.Tasks;

namespace RagMonitor;

public readonly partial struct StageScope
{
    /// <summary>
    /// Ends the stage when <paramref name="task"/> completes and returns a task with the same outcome.
    /// A task that is already complete is returned as it is, without allocating.
    /// </summary>
    public Task Track(Task task)
    {
        if (_request is null || task is null)
        {
            return task!;
        }

        if (task.IsCompleted)
        {
            LeaveSynchronousPart(completedSynchronously: true);
            Finish(task.IsCompletedSuccessfully ? null : TaskOutcome.ExceptionOf(task));
            return task;
        }

        LeaveSynchronousPart(completedSynchronously: false);
        return TrackSlow(task, this);
    }

    /// <summary>Like <see cref="Track(Task)"/>, for a task with a result.</summary>
    public Task<T> Track<T>(Task<T> task) => Track(task, null, null);

    /// <summary>
    /// Like <see cref="Track(Task)"/>, for a task with a result; when <paramref name="resultCountKey"/> and
    /// <paramref name="resultCount"/> are given, the count of the result is recorded as metadata.
    /// </summary>
    public Task<T> Track<T>(Task<T> task, string? resultCountKey, Func<T, long?>? resultCount)
    {
        if (_request is null || task is null)
        {
            return task!;
        }

        if (task.IsCompleted)
        {
            LeaveSynchronousPart(completedSynchronously: true);
            if (task.IsCompletedSuccessfully)
            {
                RecordResultCount(task.Result, resultCountKey, resultCount);
                Finish(null);
            }
            else
            {
                Finish(TaskOutcome.ExceptionOf(task));
            }

            return task;
        }

        LeaveSynchronousPart(completedSynchronously: false);
        return TrackSlow(task, this, resultCountKey, resultCount);
    }

    /// <summary>Like <see cref="Track(Task)"/>, for a <see cref="ValueTask"/>; a completed one is returned as it is.</summary>
    public ValueTask Track(ValueTask task)
    {
        if (_request is null)
        {
            return task;
        }

        if (task.IsCompletedSuccessfully)
        {
            LeaveSynchronousPart(completedSynchronously: true);
            Finish(null);
            return task;
        }

        if (task.IsCompleted)
        {
            var asTask = task.AsTask();
            LeaveSynchronousPart(completedSynchronously: true);
            Finish(TaskOutcome.ExceptionOf(asTask));
            return new ValueTask(asTask);
        }

        LeaveSynchronousPart(completedSynchronously: false);
        return TrackSlow(task, this);
    }

    /// <summary>Like <see cref="Track(ValueTask)"/>, for a <see cref="ValueTask{TResult}"/>.</summary>
    public ValueTask<T> Track<T>(ValueTask<T> task) => Track(task, null, null);

    /// <summary>Like <see cref="Track{T}(Task{T}, string?, Func{T, long?}?)"/>, for a <see cref="ValueTask{TResult}"/>.</summary>
    public ValueTask<T> Track<T>(ValueTask<T> task, string? resultCountKey, Func<T, long?>? resultCount)
    {
        if (_request is null)
        {
            return task;
        }

        if (task.IsCompletedSuccessfully)
        {
            LeaveSynchronousPart(completedSynchronously: true);
            RecordResultCount(task.Result, resultCountKey, resultCount);
            Finish(null);
            return task;
        }

        if (task.IsCompleted)
        {
            var asTask = task.AsTask();
            LeaveSynchronousPart(completedSynchronously: true);
            Finish(TaskOutcome.ExceptionOf(asTask));
            return new ValueTask<T>(asTask);
        }

        LeaveSynchronousPart(completedSynchronously: false);
        return TrackSlow(task, this, resultCountKey, resultCount);
    }

    /// <summary>Records <paramref name="result"/>'s count as metadata when a key and a counter are given.</summary>
    public void RecordResultCount<T>(T result, string? resultCountKey, Func<T, long?>? resultCount)
    {
        if (_request is null || resultCountKey is null || resultCount is null || result is null)
        {
            return;
        }

        try
        {
            if (resultCount(result) is { } count)
            {
                AddMetadata(resultCountKey, count);
            }
        }
        catch (Exception ex)
        {
            _request.Monitor.CountInternalError(ex);
        }
    }

    internal bool FinishFilter(Exception exception)
    {
        Finish(exception);
        return false;
    }

    private static async Task TrackSlow(Task task, StageScope scope)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (scope.FinishFilter(ex))
        {
            throw;
        }

        scope.Finish(null);
    }

    private static async Task<T> TrackSlow<T>(Task<T> task, StageScope scope, string? resultCountKey, Func<T, long?>? resultCount)
    {
        T result;
        try
        {
            result = await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (scope.FinishFilter(ex))
        {
            throw;
        }

        scope.RecordResultCount(result, resultCountKey, resultCount);
        scope.Finish(null);
        return result;
    }

    private static async ValueTask TrackSlow(ValueTask task, StageScope scope)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (scope.FinishFilter(ex))
        {
            throw;
        }

        scope.Finish(null);
    }

    private static async ValueTask<T> TrackSlow<T>(ValueTask<T> task, StageScope scope, string? resultCountKey, Func<T, long?>? resultCount)
    {
        T result;
        try
        {
            result = await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (scope.FinishFilter(ex))
        {
            throw;
        }

        scope.RecordResultCount(result, resultCountKey, resultCount);
        scope.Finish(null);
        return result;
    }
}

/// <summary>Reads the exception of a completed task without throwing.</summary>
internal static class TaskOutcome
{
    internal static Exception? ExceptionOf(Task task)
    {
        if (task.IsCanceled)
        {
            return new TaskCanceledException(task);
        }

        if (task.IsFaulted)
        {
            var aggregate = task.Exception!;
            return aggregate.InnerExceptions.Count == 1 ? aggregate.InnerException : aggregate;
        }

        return null;
    }
}
