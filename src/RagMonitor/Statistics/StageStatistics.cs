using System;
using System.Collections.Generic;

namespace RagMonitor;

/// <summary>The statistics of one stage name, within one request name or across all of them.</summary>
public sealed class StageStatistics
{
    internal StageStatistics(string name, string? requestName, TimingStatistics lifetime, TimingStatistics window)
    {
        Name = name;
        RequestName = requestName;
        Lifetime = lifetime;
        Window = window;
    }

    /// <summary>The stage name.</summary>
    public string Name { get; }

    /// <summary>The request name these figures belong to, or <see langword="null"/> for the all-requests view (<see cref="MonitorStatistics.Stages"/>).</summary>
    public string? RequestName { get; }

    /// <summary>Figures since the monitor was created.</summary>
    public TimingStatistics Lifetime { get; }

    /// <summary>Figures over the sliding window (see <see cref="StatisticsPeriod.Window"/>).</summary>
    public TimingStatistics Window { get; }

    /// <summary>The figures of <paramref name="period"/>.</summary>
    public TimingStatistics Get(StatisticsPeriod period) => period == StatisticsPeriod.Window ? Window : Lifetime;

    /// <summary>The name and the lifetime figures.</summary>
    public override string ToString() => (RequestName is null ? Name : RequestName + "/" + Name) + ": " + Lifetime;
}

/// <summary>The statistics of one request name and of its stages.</summary>
public sealed class RequestStatistics
{
    internal RequestStatistics(string name, TimingStatistics lifetime, TimingStatistics window, IReadOnlyList<StageStatistics> stages)
    {
        Name = name;
        Lifetime = lifetime;
        Window = window;
        Stages = stages;
    }

    /// <summary>The request name.</summary>
    public string Name { get; }

    /// <summary>Figures of the requests' total time since the monitor was created.</summary>
    public TimingStatistics Lifetime { get; }

    /// <summary>Figures of the requests' total time over the sliding window (see <see cref="StatisticsPeriod.Window"/>).</summary>
    public TimingStatistics Window { get; }

    /// <summary>The stages seen in requests of this name, in the order they were first seen.</summary>
    public IReadOnlyList<StageStatistics> Stages { get; }

    /// <summary>The figures of <paramref name="period"/>.</summary>
    public TimingStatistics Get(StatisticsPeriod period) => period == StatisticsPeriod.Window ? Window : Lifetime;

    /// <summary>Finds a stage of this request name (ordinal), or <see langword="null"/>.</summary>
    public StageStatistics? FindStage(string name)
    {
        foreach (var stage in Stages)
        {
            if (string.Equals(stage.Name, name, StringComparison.Ordinal))
            {
                return stage;
            }
        }

        return null;
    }

    /// <summary>The name and the lifetime figures.</summary>
    public override string ToString() => Name + ": " + Lifetime;
}
