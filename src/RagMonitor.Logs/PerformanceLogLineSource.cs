using System;
using System.Buffers;
using System.IO;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace RagMonitor;

/// <summary>What <see cref="PerformanceLogLineSource.Next"/> found.</summary>
internal enum LineRead
{
    /// <summary>A whole line is available.</summary>
    Line,

    /// <summary>A line longer than the limit was dropped.</summary>
    TooLong,

    /// <summary>The buffer holds no whole line: call Fill.</summary>
    NeedData,

    /// <summary>The file is finished.</summary>
    End,
}

/// <summary>
/// Splits a log file (plain or gzip) into lines over one pooled buffer that grows only for long lines. Lines are
/// returned as ranges of <see cref="Buffer"/>, valid until the next <see cref="Fill"/>.
/// </summary>
internal sealed class PerformanceLogLineSource : IDisposable
{
    private const int BlockSize = 1 << 20;

    private readonly FileStream _file;
    private readonly Stream _stream;
    private readonly int _maxLineLength;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private bool _discarding;
    private bool _atFileStart = true;
    private bool _skipToNewline;
    private long _bufferFileOffset;
    private readonly bool _compressed;
    private long _decompressed;
    private readonly long _rangeStart;
    private readonly long _rangeEnd;
    private bool _rangeDone;

    internal PerformanceLogLineSource(string path, bool compressed, int maxLineLength, bool asyncIo)
        : this(path, compressed, maxLineLength, asyncIo, 0, long.MaxValue)
    {
    }

    /// <summary>
    /// Opens a file; for a plain file, <paramref name="rangeStart"/>/<paramref name="rangeEnd"/> select the lines that
    /// start in [start, end) (a line that starts in the range is read to its end, even past <paramref name="rangeEnd"/>).
    /// </summary>
    internal PerformanceLogLineSource(string path, bool compressed, int maxLineLength, bool asyncIo, long rangeStart, long rangeEnd)
    {
        _file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = compressed ? 64 * 1024 : 0,
            Options = FileOptions.SequentialScan | (asyncIo ? FileOptions.Asynchronous : FileOptions.None),
        });
        _stream = compressed ? new GZipStream(_file, CompressionMode.Decompress) : _file;
        _compressed = compressed;
        _maxLineLength = maxLineLength;
        long length = 0;
        try
        {
            length = _file.Length;
        }
        catch (IOException)
        {
        }

        int initial = compressed || length >= BlockSize ? BlockSize : (int)Math.Max(4096, length + 1);
        _buffer = ArrayPool<byte>.Shared.Rent(initial);
        _rangeStart = compressed ? 0 : rangeStart;
        _rangeEnd = compressed ? long.MaxValue : rangeEnd;
        if (_rangeStart > 0)
        {
            // Start on the byte before the range: the first line of the range begins after the first line feed from there.
            _file.Seek(_rangeStart - 1, SeekOrigin.Begin);
            _bufferFileOffset = _rangeStart - 1;
            _skipToNewline = true;
            _atFileStart = false;
        }
    }

    /// <summary>For a plain file: the bytes of the range consumed so far (the offset after the last line returned, capped at the range end, minus the range start).</summary>
    internal long RangeBytesConsumed => Math.Max(0, Math.Min(_bufferFileOffset + _start, _rangeEnd) - _rangeStart);

    internal byte[] Buffer => _buffer;

    /// <summary>The 1-based number of the line last returned.</summary>
    internal long LineNumber { get; private set; }

    /// <summary>File bytes consumed so far (compressed bytes for gzip).</summary>
    internal long FilePosition
    {
        get
        {
            try
            {
                return _file.Position;
            }
            catch (ObjectDisposedException)
            {
                return 0;
            }
        }
    }

    /// <summary>Uncompressed bytes returned so far.</summary>
    internal long BytesOut { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal LineRead Next(out int offset, out int length)
    {
        offset = 0;
        length = 0;
        while (true)
        {
            if (_rangeDone)
            {
                return LineRead.End;
            }

            ReadOnlySpan<byte> pending = new(_buffer, _start, _end - _start);
            int newline = pending.IndexOf((byte)'\n');
            if (_skipToNewline)
            {
                if (newline < 0)
                {
                    _start = _end;
                    return _eof ? LineRead.End : LineRead.NeedData;
                }

                _start += newline + 1;
                _skipToNewline = false;
                continue;
            }

            if (_bufferFileOffset + _start >= _rangeEnd && !_discarding)
            {
                _rangeDone = true;
                return LineRead.End;
            }

            if (_discarding)
            {
                if (newline < 0)
                {
                    BytesOut += pending.Length;
                    _start = _end;
                    if (_eof)
                    {
                        _discarding = false;
                        return LineRead.TooLong;
                    }

                    return LineRead.NeedData;
                }

                BytesOut += newline + 1;
                _start += newline + 1;
                _discarding = false;
                return LineRead.TooLong;
            }

            if (newline < 0)
            {
                if (!_eof)
                {
                    return LineRead.NeedData;
                }

                if (pending.Length == 0)
                {
                    return LineRead.End;
                }

                newline = pending.Length;
            }

            offset = _start;
            length = newline;
            int consumed = Math.Min(newline + 1, pending.Length);
            _start += consumed;
            BytesOut += consumed;
            LineNumber++;
            if (length > _maxLineLength)
            {
                return LineRead.TooLong;
            }

            if (_atFileStart)
            {
                _atFileStart = false;
                if (length >= 3 && _buffer[offset] == 0xEF && _buffer[offset + 1] == 0xBB && _buffer[offset + 2] == 0xBF)
                {
                    offset += 3;
                    length -= 3;
                }
            }

            if (length > 0 && _buffer[offset + length - 1] == (byte)'\r')
            {
                length--;
            }

            return LineRead.Line;
        }
    }

    internal void Fill() => Complete(_stream.Read(PrepareForRead().Span));

    internal async ValueTask FillAsync(CancellationToken cancellationToken)
        => Complete(await _stream.ReadAsync(PrepareForRead(), cancellationToken).ConfigureAwait(false));

    private Memory<byte> PrepareForRead()
    {
        if (_start > 0)
        {
            _bufferFileOffset += _start;
            int remaining = _end - _start;
            if (remaining > 0)
            {
                System.Buffer.BlockCopy(_buffer, _start, _buffer, 0, remaining);
            }

            _start = 0;
            _end = remaining;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= _maxLineLength)
            {
                // The line in the buffer is too long: drop what we have and skip to its end.
                LineNumber++;
                BytesOut += _end;
                _bufferFileOffset += _end;
                _discarding = true;
                _start = 0;
                _end = 0;
            }
            else
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)_buffer.Length * 2, Math.Max(_maxLineLength, _buffer.Length)));
                System.Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }
        }

        return new Memory<byte>(_buffer, _end, _buffer.Length - _end);
    }

    private void Complete(int read)
    {
        if (read == 0)
        {
            _eof = true;
            if (_compressed)
            {
                CheckGzipEnd();
            }
        }

        _decompressed += read;
        _end += read;
    }

    /// <summary>
    /// GZipStream ends quietly when the data stops early (a copy cut short, a file still being written): compare what
    /// was decompressed with the size the gzip trailer records (its last four bytes, the size modulo 2^32) and report a
    /// mismatch as damaged data. A file of several gzip members (concatenated archives) records only its last member's
    /// size there, so it is reported too; RagMonitor writes one member per archive.
    /// </summary>
    private void CheckGzipEnd()
    {
        long length = _file.Length;
        if (length == 0)
        {
            return;
        }

        uint recorded = 0;
        if (length >= 18)
        {
            Span<byte> trailer = stackalloc byte[4];
            _file.Seek(-4, SeekOrigin.End);
            _file.ReadExactly(trailer);
            recorded = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        }

        if (length < 18 || recorded != (uint)_decompressed)
        {
            throw new InvalidDataException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the gzip data ends early or is damaged ({_decompressed} bytes decompressed, the trailer records {recorded})"));
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _file.Dispose();
        byte[] buffer = _buffer;
        _buffer = Array.Empty<byte>();
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
