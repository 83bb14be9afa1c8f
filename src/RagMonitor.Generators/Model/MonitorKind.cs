namespace RagMonitor.Generators.Model;

/// <summary>Which attribute a monitored method carries.</summary>
internal enum MonitorKind
{
    /// <summary><c>[Stage("name")]</c>: one timed stage of the ambient request.</summary>
    Stage,

    /// <summary><c>[MonitoredRequest]</c>: starts and ends a request.</summary>
    Request,
}

/// <summary>How the wrapper handles the method's result.</summary>
internal enum ReturnShape
{
    /// <summary><c>void</c>.</summary>
    Void,

    /// <summary>Any other synchronous value (including ref-like types).</summary>
    Value,

    /// <summary><c>System.Threading.Tasks.Task</c>.</summary>
    Task,

    /// <summary><c>System.Threading.Tasks.Task&lt;T&gt;</c>.</summary>
    TaskOfT,

    /// <summary><c>System.Threading.Tasks.ValueTask</c>.</summary>
    ValueTask,

    /// <summary><c>System.Threading.Tasks.ValueTask&lt;T&gt;</c>.</summary>
    ValueTaskOfT,

    /// <summary><c>System.Collections.Generic.IAsyncEnumerable&lt;T&gt;</c>.</summary>
    AsyncEnumerable,
}
