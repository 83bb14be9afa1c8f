using System;
using System.Runtime.CompilerServices;
using System.Text;

namespace RagMonitor;

/// <summary>
/// Turns the UTF-8 bytes of names that repeat on every line (request, stage, status, error type) into one shared
/// string each, without allocating after the first sight. Bounded: past <see cref="MaxEntries"/> distinct names,
/// new names are decoded to fresh strings.
/// </summary>
internal sealed class PerformanceLogStringCache
{
    internal const int MaxEntries = 4096;
    private const int MaxKeyLength = 256;

    private Entry[] _table = new Entry[64];
    private int _count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxKeyLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        int hash = Hash(utf8);
        Entry[] table = _table;
        int mask = table.Length - 1;
        int index = hash & mask;
        while (true)
        {
            ref Entry entry = ref table[index];
            if (entry.Key is null)
            {
                break;
            }

            if (entry.Hash == hash && utf8.SequenceEqual(entry.Key))
            {
                return entry.Value!;
            }

            index = (index + 1) & mask;
        }

        string value = Encoding.UTF8.GetString(utf8);
        if (_count >= MaxEntries)
        {
            return value;
        }

        table[index] = new Entry { Hash = hash, Key = utf8.ToArray(), Value = value };
        _count++;
        if (_count * 2 > table.Length)
        {
            Grow();
        }

        return value;
    }

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        // FNV-1a; names are short.
        uint h = 2166136261;
        foreach (byte b in utf8)
        {
            h = (h ^ b) * 16777619;
        }

        return (int)(h ^ (h >> 15));
    }

    private void Grow()
    {
        var table = new Entry[_table.Length * 2];
        int mask = table.Length - 1;
        foreach (Entry entry in _table)
        {
            if (entry.Key is null)
            {
                continue;
            }

            int index = entry.Hash & mask;
            while (table[index].Key is not null)
            {
                index = (index + 1) & mask;
            }

            table[index] = entry;
        }

        _table = table;
    }

    private struct Entry
    {
        public int Hash;
        public byte[]? Key;
        public string? Value;
    }
}
