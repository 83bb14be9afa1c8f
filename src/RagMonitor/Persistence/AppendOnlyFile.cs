using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using System.Threading;
using Microsoft.Win32.SafeHandles;

namespace RagMonitor;

/// <summary>
/// A file opened for atomic appends: every <see cref="Write(ReadOnlySpan{byte})"/> lands at the current end of
/// the file in one system call, even when other processes append to the same file.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="FileMode.Append"/> is not enough for that: .NET remembers the end of the file it saw when it
/// opened it and writes at that offset (positional writes), so two processes overwrite each other's lines.
/// This type asks the operating system for a real append instead: on Linux and macOS it opens the file with
/// <c>O_APPEND</c> and writes with <c>write(2)</c>; on Windows it opens it with only the <c>FILE_APPEND_DATA</c>
/// right (not tested here: the test machine runs Linux). On other systems, or when that fails to load, it falls back
/// to <see cref="FileMode.Append"/> (<see cref="IsAtomic"/> is then false).
/// </para>
/// <para>
/// A regular local file receives a <c>write(2)</c> of a few tens of KiB as a unit (Linux holds the inode lock for
/// the whole call). A short write (disk full) is continued with a second call; lines written by another process
/// in between could then interleave, which the caller reports as a write failure.
/// </para>
/// </remarks>
internal sealed class AppendOnlyFile : IDisposable
{
    private const int EINTR = 4;
    private const int ENOENT = 2;

    private static int s_nativeUnavailable;

    private readonly SafeFileHandle? _handle;
    private readonly FileStream? _stream;

    private AppendOnlyFile(SafeFileHandle? handle, FileStream? stream)
    {
        _handle = handle;
        _stream = stream;
    }

    /// <summary>Whether appends are atomic with respect to other processes on this platform.</summary>
    internal static bool IsAtomic => (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsWindows()) && Volatile.Read(ref s_nativeUnavailable) == 0;

    /// <summary>Opens (creating it and its directory if needed) <paramref name="path"/> for appending.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">Access is denied.</exception>
    internal static AppendOnlyFile Open(string path)
    {
        if ((OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && Volatile.Read(ref s_nativeUnavailable) == 0)
        {
            try
            {
                return new AppendOnlyFile(OpenUnix(path), null);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                // No usable libc through P/Invoke (unusual runtime set-up): fall back to FileMode.Append.
                Volatile.Write(ref s_nativeUnavailable, 1);
            }
        }

        EnsureDirectory(path);
        if (OperatingSystem.IsWindows() && Volatile.Read(ref s_nativeUnavailable) == 0)
        {
            try
            {
                var stream = FileSystemAclExtensions.Create(
                    new FileInfo(path),
                    FileMode.Append,
                    FileSystemRights.AppendData | FileSystemRights.Synchronize,
                    FileShare.ReadWrite | FileShare.Delete,
                    bufferSize: 0,
                    FileOptions.None,
                    fileSecurity: null);
                return new AppendOnlyFile(null, stream);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PlatformNotSupportedException)
            {
                Volatile.Write(ref s_nativeUnavailable, 1);
            }
        }

        return new AppendOnlyFile(null, new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0));
    }

    /// <summary>Writes all of <paramref name="data"/> at the end of the file.</summary>
    /// <returns>The number of bytes written: all of them.</returns>
    /// <exception cref="PartialWriteException">The write failed after some bytes had been written.</exception>
    /// <exception cref="IOException">Nothing was written.</exception>
    internal void Write(ReadOnlySpan<byte> data)
    {
        if (_stream is not null)
        {
            _stream.Write(data);
            return;
        }

        var fd = (int)_handle!.DangerousGetHandle();
        var written = 0;
        while (written < data.Length)
        {
            var n = (long)Native.Write(fd, ref MemoryMarshal.GetReference(data.Slice(written)), (nuint)(data.Length - written));
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                var message = $"Could not append to the log file: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).";
                if (written > 0)
                {
                    throw new PartialWriteException(message, written);
                }

                throw new IOException(message);
            }

            written += (int)n;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _handle?.Dispose();
        _stream?.Dispose();
    }

    private static SafeFileHandle OpenUnix(string path)
    {
        // open(2) is variadic; passing the mode for O_CREAT is not portable through P/Invoke (Apple arm64 passes
        // variadic arguments on the stack). So the file is opened without O_CREAT and, if missing, created first by .NET.
        var flags = OperatingSystem.IsMacOS() ? 0x1 | 0x8 | 0x1000000 : 0x1 | 0x400 | 0x80000; // O_WRONLY | O_APPEND | O_CLOEXEC
        var nativePath = ToNullTerminatedUtf8(path);
        for (var attempt = 0; ; attempt++)
        {
            var fd = Native.Open(nativePath, flags);
            if (fd >= 0)
            {
                return new SafeFileHandle((IntPtr)fd, ownsHandle: true);
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR)
            {
                continue;
            }

            if (errno == ENOENT && attempt < 2)
            {
                EnsureDirectory(path);
                using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0))
                {
                }

                continue;
            }

            var message = $"Could not open the log file '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).";
            throw errno is 1 or 13 ? new UnauthorizedAccessException(message) : new IOException(message); // EPERM, EACCES
        }
    }

    private static void EnsureDirectory(string path)
    {
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }

    private static byte[] ToNullTerminatedUtf8(string path)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, 0, path.Length, bytes, 0);
        return bytes;
    }

    private static class Native
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        internal static extern int Open(byte[] path, int flags);

        [DllImport("libc", EntryPoint = "write", SetLastError = true)]
        internal static extern nint Write(int fd, ref byte buffer, nuint count);
    }
}

/// <summary>A write that failed after part of the data had reached the file.</summary>
internal sealed class PartialWriteException : IOException
{
    internal PartialWriteException(string message, int bytesWritten)
        : base(message)
    {
        BytesWritten = bytesWritten;
    }

    /// <summary>How many bytes were written before the failure.</summary>
    internal int BytesWritten { get; }
}
