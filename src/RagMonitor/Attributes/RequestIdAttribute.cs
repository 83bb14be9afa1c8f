using System;

namespace RagMonitor;

/// <summary>
/// Marks the parameter of a <see cref="MonitoredRequestAttribute"/> method whose value (converted with
/// <see cref="object.ToString"/>) is used as the request id. Without it, each request gets a new unique id.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class RequestIdAttribute : Attribute
{
}
