namespace RagMonitor;

/// <summary>How a request or a stage ended. Written to the log as <c>"success"</c>, <c>"failure"</c> or <c>"cancelled"</c>.</summary>
public enum OperationStatus
{
    /// <summary>Completed without an exception.</summary>
    Success = 0,

    /// <summary>Ended with an exception other than <see cref="System.OperationCanceledException"/>.</summary>
    Failure = 1,

    /// <summary>Ended with an <see cref="System.OperationCanceledException"/>.</summary>
    Cancelled = 2,
}

/// <summary>Text forms of <see cref="OperationStatus"/> as written to the log.</summary>
public static class OperationStatusText
{
    /// <summary>Returns <c>"success"</c>, <c>"failure"</c> or <c>"cancelled"</c>.</summary>
    public static string ToLogText(this OperationStatus status) => status switch
    {
        OperationStatus.Failure => "failure",
        OperationStatus.Cancelled => "cancelled",
        _ => "success",
    };

    /// <summary>Parses the log text form; unknown text gives <see langword="false"/>.</summary>
    public static bool TryParse(string? text, out OperationStatus status)
    {
        switch (text)
        {
            case "success": status = OperationStatus.Success; return true;
            case "failure": status = OperationStatus.Failure; return true;
            case "cancelled": status = OperationStatus.Cancelled; return true;
            default: status = OperationStatus.Success; return false;
        }
    }

    /// <summary>The more severe of two statuses: failure over cancelled over success.</summary>
    internal static OperationStatus Worst(OperationStatus a, OperationStatus b) => a == OperationStatus.Failure || b == OperationStatus.Failure
        ? OperationStatus.Failure
        : (a == OperationStatus.Cancelled || b == OperationStatus.Cancelled ? OperationStatus.Cancelled : OperationStatus.Success);
}
