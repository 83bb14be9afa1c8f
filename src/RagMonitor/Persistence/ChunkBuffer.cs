using System;
using System.Buffers;

namespace RagMonitor;

/// <summary>A growable, reusable byte buffer that the JSONL formatter (or a <see cref="System.Text.Json.Utf8JsonWriter"/>) writes into and that can be cut back.</summary>
internal sealed class ChunkBuffer : IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _length;

    internal ChunkBuffer(int initialCapacity)
    {
        _buffer = new byte[initialCapacity];
    }

    /// <summary>Bytes written so far.</summary>
    internal int Length => _length;

    /// <summary>The bytes written so far.</summary>
    internal ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <inheritdoc />
    public void Advance(int count)
    {
        if (count < 0 || _length + count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _length += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    /// <summary>Appends one byte.</summary>
    internal void Append(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    /// <summary>Appends bytes.</summary>
    internal void Append(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Cuts the buffer back to <paramref name="length"/> bytes.</summary>
    internal void Truncate(int length) => _length = Math.Clamp(length, 0, _length);

    /// <summary>Removes the first <paramref name="count"/> bytes, keeping the rest.</summary>
    internal void RemovePrefix(int count)
    {
        count = Math.Clamp(count, 0, _length);
        Buffer.BlockCopy(_buffer, count, _buffer, 0, _length - count);
        _length -= count;
    }

    /// <summary>Empties the buffer; shrinks it back when a burst made it much larger than <paramref name="keepCapacity"/>.</summary>
    internal void Clear(int keepCapacity)
    {
        _length = 0;
        if (_buffer.Length > keepCapacity * 4)
        {
            _buffer = new byte[keepCapacity];
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 256);
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
    }
}
