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
/// <para>
/// Safety (Linux and macOS): the file is opened with <c>O_NOFOLLOW</c> (a symbolic link in its place is refused, also a
/// dangling one: the file is created with <c>O_EXCL</c>) and <c>O_NONBLOCK</c> (a FIFO never blocks the writer); on
/// Linux the opened descriptor is checked with <c>statx</c> to be a regular file. A refusal throws
/// <see cref="UnsafeLogFileException"/>. Fresh lines: before each write the last byte of the file is read back
/// (<c>lseek</c> + <c>pread</c>); when it is not a newline (a line torn by a crash, here or in another process), the
/// write starts with one, in the same <c>write(2)</c>. On Linux the check and the write hold an open-file-description
/// lock (<c>F_OFD_SETLK</c>) that every RagMonitor writer takes, so no writer mistakes another's append in progress for a
/// torn line; elsewhere (or when the lock stays busy) a tail counts as torn only once it has stayed the same for a few
/// milliseconds.
/// </para>
/// </remarks>
internal sealed class AppendOnlyFile : IDisposable
{
    private const int EINTR = 4;
    private const int ENOENT = 2;
    private const int EACCES = 13;
    private const int SeekEnd = 2;
    private const int AdviceDontNeed = 4; // POSIX_FADV_DONTNEED on Linux
    private const uint SyncFileRangeWrite = 2; // SYNC_FILE_RANGE_WRITE

    private static int s_nativeUnavailable;
    private static int s_statxUnavailable;
    private static int s_pageReleaseUnavailable;

    private readonly SafeFileHandle? _handle;
    private readonly FileStream? _stream;

    private AppendOnlyFile(SafeFileHandle? handle, FileStream? stream, bool readable)
    {
        _handle = handle;
        _stream = stream;
        StartsLinesFresh = readable;
    }

    /// <summary>Whether appends are atomic with respect to other processes on this platform.</summary>
    internal static bool IsAtomic => (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsWindows()) && Volatile.Read(ref s_nativeUnavailable) == 0;

    /// <summary>
    /// Whether <see cref="WriteLines"/> checks the last byte of the file and starts on a fresh line after a torn one (Linux
    /// and macOS, when the file could be opened for reading too).
    /// </summary>
    internal bool StartsLinesFresh { get; }

    /// <summary>Opens (creating it and its directory if needed) <paramref name="path"/> for appending.</summary>
    /// <exception cref="UnsafeLogFileException">The path is a symbolic link or not a regular file.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">Access is denied.</exception>
    internal static AppendOnlyFile Open(string path)
    {
        if ((OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && Volatile.Read(ref s_nativeUnavailable) == 0)
        {
            try
            {
                return OpenUnix(path);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                // No usable libc through P/Invoke (unusual runtime set-up): fall back to FileMode.Append.
                Volatile.Write(ref s_nativeUnavailable, 1);
            }
        }

        EnsureDirectory(path);
        RefuseLink(path);
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
                return new AppendOnlyFile(null, stream, readable: false);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PlatformNotSupportedException)
            {
                Volatile.Write(ref s_nativeUnavailable, 1);
            }
        }

        return new AppendOnlyFile(null, new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0), readable: false);
    }

    /// <summary>
    /// Appends <paramref name="lines"/> (whole lines, each ending with <c>\n</c>) at the end of the file, on a fresh line:
    /// when the file's last byte is not a newline (see <see cref="StartsLinesFresh"/>), one is written first, in the same call.
    /// </summary>
    /// <exception cref="PartialWriteException">The write failed after some bytes had been written.</exception>
    /// <exception cref="IOException">Nothing was written.</exception>
    internal void WriteLines(ReadOnlySpan<byte> lines)
    {
        if (!StartsLinesFresh)
        {
            Write(lines);
            return;
        }

        // Linux: RagMonitor writers of one file take turns (an open-file-description lock on the file, which .NET's
        // readers, using flock, never hold), so the last byte read is never the middle of another RagMonitor writer's append.
        var locked = TryLockForAppend();
        try
        {
            WriteLinesOnFreshLine(lines, exclusive: locked);
        }
        finally
        {
            if (locked)
            {
                Unlock();
            }
        }
    }

    private void WriteLinesOnFreshLine(ReadOnlySpan<byte> lines, bool exclusive)
    {
        if (!EndsWithNewline(exclusive))
        {
            var joined = new byte[lines.Length + 1];
            joined[0] = (byte)'\n';
            lines.CopyTo(joined.AsSpan(1));
            try
            {
                Write(joined);
            }
            catch (PartialWriteException ex)
            {
                // Report what was written of the caller's lines (the leading newline is not theirs).
                throw new PartialWriteException(ex.Message, Math.Max(0, ex.BytesWritten - 1));
            }

            return;
        }

        Write(lines);
    }

    /// <summary>
    /// Whether the file is empty or its last byte is a newline (read back through the descriptor). Another process's append
    /// in progress shows for an instant as a file that ends mid-line (the size grows page by page during one
    /// <c>write(2)</c>): a tail that is not a newline counts as torn only once the size has stayed the same over
    /// <see cref="TornTailChecks"/> looks about a millisecond apart. A torn tail left by a crash does not change.
    /// </summary>
    private bool EndsWithNewline(bool exclusive)
    {
        var fd = (int)_handle!.DangerousGetHandle();
        var stableLooks = 0;
        var lastSize = -1L;
        for (var look = 0; look < 200; look++)
        {
            var size = Native.LSeek(fd, 0, SeekEnd);
            if (size <= 0)
            {
                return true;
            }

            if (ReadByteAt(fd, size - 1) is not { } last || last == (byte)'\n')
            {
                // Unreadable after all (the writer's own torn lines are still ended by the sink), or a whole line.
                return true;
            }

            stableLooks = size == lastSize ? stableLooks + 1 : 0;
            if (exclusive || stableLooks >= TornTailChecks)
            {
                return false;
            }

            lastSize = size;
            Thread.Sleep(1);
        }

        // The file kept growing mid-line for all that time: another writer is busy; write without a leading newline.
        return true;
    }

    /// <summary>
    /// Takes a write lock on the whole file for one append (Linux open-file-description lock, <c>F_OFD_SETLK</c>; shared
    /// by every RagMonitor writer, released by the kernel if the process dies). Waits up to about 100 ms for another
    /// writer; returns <see langword="false"/> when there is no such lock here or it stays busy (the append then goes on
    /// without it, using the slower stable-tail check).
    /// </summary>
    private bool TryLockForAppend()
    {
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref s_ofdLocksUnavailable) != 0)
        {
            return false;
        }

        var fd = (int)_handle!.DangerousGetHandle();
        var request = new FileLockRequest { Type = WriteLock, Whence = 0, Start = 0, Length = 0 };
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (Native.FileControl(fd, SetOpenFileDescriptionLock, ref request) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR)
            {
                continue;
            }

            if (errno is 11 or 13) // EAGAIN / EACCES: another writer holds it
            {
                if (attempt < 20)
                {
                    Thread.SpinWait(64);
                }
                else
                {
                    Thread.Sleep(0);
                    if (attempt >= 100)
                    {
                        Thread.Sleep(1);
                    }
                }

                continue;
            }

            // EINVAL (a kernel older than 3.15) or a file system without such locks.
            Volatile.Write(ref s_ofdLocksUnavailable, 1);
            return false;
        }

        return false;
    }

    private void Unlock()
    {
        var request = new FileLockRequest { Type = Unlocked, Whence = 0, Start = 0, Length = 0 };
        _ = Native.FileControl((int)_handle!.DangerousGetHandle(), SetOpenFileDescriptionLock, ref request);
    }

    private const int SetOpenFileDescriptionLock = 37; // F_OFD_SETLK
    private const short WriteLock = 1; // F_WRLCK
    private const short Unlocked = 2; // F_UNLCK
    private static int s_ofdLocksUnavailable;

    /// <summary><c>struct flock</c> of Linux on 64-bit systems (x64 and ARM64 share it).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FileLockRequest
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int ProcessId;
        public int Padding;
    }

    /// <summary>How many unchanged looks at a tail that is not a newline make it a torn line.</summary>
    private const int TornTailChecks = 5;

    private static byte? ReadByteAt(int fd, long offset)
    {
        byte value = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var n = (long)Native.PRead(fd, ref value, 1, offset);
            if (n == 1)
            {
                return value;
            }

            if (n < 0 && Marshal.GetLastPInvokeError() == EINTR)
            {
                continue;
            }

            break;
        }

        return null;
    }

    /// <summary>Writes all of <paramref name="data"/> at the end of the file.</summary>
    /// <exception cref="PartialWriteException">The write failed after some bytes had been written.</exception>
    /// <exception cref="IOException">Nothing was written.</exception>
    private void Write(ReadOnlySpan<byte> data)
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

    /// <summary>
    /// Linux: drops the file's pages in [<paramref name="dropFrom"/>, <paramref name="writeOutFrom"/>) from the page cache
    /// (their write-out was started by the previous call; pages not yet written out stay) and starts the write-out of
    /// everything from <paramref name="writeOutFrom"/> to the current end of the file without waiting for it
    /// (<c>posix_fadvise(POSIX_FADV_DONTNEED)</c>, <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>); then moves the window on
    /// (<paramref name="dropFrom"/> to where the write-out started, <paramref name="writeOutFrom"/> to the end of the file).
    /// Returns <see langword="false"/> when this file or system cannot do it (nothing to retry). Never throws.
    /// </summary>
    internal bool ReleaseWrittenPages(ref long dropFrom, ref long writeOutFrom)
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess || _handle is null || Volatile.Read(ref s_pageReleaseUnavailable) != 0)
        {
            return false;
        }

        try
        {
            var fd = (int)_handle.DangerousGetHandle();
            var end = Native.LSeek(fd, 0, SeekEnd);
            if (end < 0)
            {
                return false;
            }

            if (writeOutFrom > end)
            {
                // The file became shorter (replaced or truncated by someone else): start again from its start.
                dropFrom = writeOutFrom = 0;
            }

            if (writeOutFrom > dropFrom)
            {
                // Returns an error number instead of setting errno; a failure only means the pages stay cached.
                _ = Native.FileAdvise(fd, dropFrom, writeOutFrom - dropFrom, AdviceDontNeed);
            }

            if (end > writeOutFrom && Native.SyncFileRange(fd, writeOutFrom, end - writeOutFrom, SyncFileRangeWrite) != 0
                && Marshal.GetLastPInvokeError() != EINTR)
            {
                // For example a file system that does not support it: leave the page cache to the kernel.
                return false;
            }

            dropFrom = writeOutFrom;
            writeOutFrom = end;
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref s_pageReleaseUnavailable, 1);
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _handle?.Dispose();
        _stream?.Dispose();
    }

    private static AppendOnlyFile OpenUnix(string path)
    {
        // open(2) is variadic; passing the mode for O_CREAT is not portable through P/Invoke (Apple arm64 passes
        // variadic arguments on the stack). So the file is opened without O_CREAT and, if missing, created first by .NET
        // with FileMode.CreateNew (O_CREAT | O_EXCL, which never follows a symbolic link).
        var macOS = OperatingSystem.IsMacOS();
        var append = macOS ? 0x8 : 0x400;
        var cloexec = macOS ? 0x1000000 : 0x80000;
        var nonBlock = macOS ? 0x4 : 0x800;
        var noFollow = macOS ? 0x100 : LinuxNoFollow();
        const int readWrite = 0x2;
        const int writeOnly = 0x1;
        var nativePath = ToNullTerminatedUtf8(path);
        var access = readWrite;
        for (var attempt = 0; ; attempt++)
        {
            var fd = Native.Open(nativePath, access | append | cloexec | nonBlock | noFollow);
            if (fd >= 0)
            {
                var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
                try
                {
                    RefuseNonRegular(fd, path);
                }
                catch
                {
                    handle.Dispose();
                    throw;
                }

                return new AppendOnlyFile(handle, null, readable: access == readWrite);
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR)
            {
                continue;
            }

            if (errno == EACCES && access == readWrite)
            {
                // Writable but not readable: append without the fresh-line check.
                access = writeOnly;
                continue;
            }

            if (errno == ENOENT && attempt < 3)
            {
                EnsureDirectory(path);
                try
                {
                    using (new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0))
                    {
                    }
                }
                catch (IOException) when (File.Exists(path) || IsLink(path))
                {
                    // Created meanwhile (another process), or a link appeared: the next open decides.
                }

                continue;
            }

            if (errno == (macOS ? 62 : 40) || (macOS && errno == 31 /* EMLINK: O_NOFOLLOW on a link, older macOS */))
            {
                throw new UnsafeLogFileException($"'{path}' is a symbolic link; RagMonitor does not write through links.");
            }

            if (errno == 6) // ENXIO (both systems): a FIFO with no reader (O_NONBLOCK), or a device
            {
                throw new UnsafeLogFileException($"'{path}' is not a regular file.");
            }

            var message = $"Could not open the log file '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).";
            throw errno is 1 or 13 ? new UnauthorizedAccessException(message) : new IOException(message); // EPERM, EACCES
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> for reading without following a symbolic link in its place and only if it is a regular
    /// file (Linux and macOS: <c>O_NOFOLLOW</c>, then the descriptor is checked; elsewhere the path is checked first).
    /// Used by retention, so that an archive never copies a file a link points to.
    /// </summary>
    /// <exception cref="UnsafeLogFileException">The path is a symbolic link or not a regular file.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    internal static FileStream OpenForReading(string path)
    {
        if ((OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && Volatile.Read(ref s_nativeUnavailable) == 0)
        {
            var macOS = OperatingSystem.IsMacOS();
            var flags = (macOS ? 0x1000000 : 0x80000) | (macOS ? 0x4 : 0x800) | (macOS ? 0x100 : LinuxNoFollow()); // O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW
            try
            {
                var nativePath = ToNullTerminatedUtf8(path);
                while (true)
                {
                    var fd = Native.Open(nativePath, flags);
                    if (fd < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == EINTR)
                        {
                            continue;
                        }

                        if (errno == (macOS ? 62 : 40))
                        {
                            throw new UnsafeLogFileException($"'{path}' is a symbolic link; RagMonitor does not read or write through links.");
                        }

                        var message = $"Could not open '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).";
                        throw errno == ENOENT ? new FileNotFoundException(message, path) : errno is 1 or 13 ? new UnauthorizedAccessException(message) : new IOException(message);
                    }

                    var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
                    try
                    {
                        RefuseNonRegular(fd, path);
                        return new FileStream(handle, FileAccess.Read, bufferSize: 81920);
                    }
                    catch
                    {
                        handle.Dispose();
                        throw;
                    }
                }
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                Volatile.Write(ref s_nativeUnavailable, 1);
            }
        }

        RefuseLink(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920);
    }

    /// <summary>Whether <paramref name="path"/> names a symbolic link (checked without following it).</summary>
    internal static bool IsLink(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.LinkTarget is not null || (info.Exists && (info.Attributes & FileAttributes.ReparsePoint) != 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>O_NOFOLLOW on Linux: 0x8000 on ARM, 0x20000 on x86 and x64 (and most others).</summary>
    private static int LinuxNoFollow() => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x8000 : 0x20000;

    /// <summary>On Linux, refuses a descriptor that is not a regular file (<c>statx</c> on the descriptor itself, no race with the path).</summary>
    private static void RefuseNonRegular(int fd, string path)
    {
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref s_statxUnavailable) != 0)
        {
            return;
        }

        const int atEmptyPath = 0x1000;
        const uint statxType = 0x1;
        const ushort typeMask = 0xF000;
        const ushort regularFile = 0x8000;
        Span<byte> buffer = stackalloc byte[256];
        int result;
        try
        {
            result = Native.StatX(fd, s_emptyPath, atEmptyPath, statxType, ref MemoryMarshal.GetReference(buffer));
        }
        catch (EntryPointNotFoundException)
        {
            Volatile.Write(ref s_statxUnavailable, 1);
            return;
        }

        if (result != 0)
        {
            return;
        }

        var mode = MemoryMarshal.Read<ushort>(buffer.Slice(28)); // struct statx: stx_mode at offset 28
        if ((mode & typeMask) != regularFile)
        {
            throw new UnsafeLogFileException($"'{path}' is not a regular file (mode 0{Convert.ToString(mode & typeMask, 8)}); RagMonitor writes logs only to regular files.");
        }
    }

    private static readonly byte[] s_emptyPath = { 0 };

    /// <summary>Where no descriptor check exists: refuses a symbolic link in the file's place (checked by path before opening).</summary>
    private static void RefuseLink(string path)
    {
        if (IsLink(path))
        {
            throw new UnsafeLogFileException($"'{path}' is a symbolic link; RagMonitor does not write through links.");
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

        [DllImport("libc", EntryPoint = "pread", SetLastError = true)]
        internal static extern nint PRead(int fd, ref byte buffer, nuint count, long offset);

        [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
        internal static extern int FileControl(int fd, int command, ref FileLockRequest request);

        [DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
        internal static extern long LSeek(int fd, long offset, int whence);

        [DllImport("libc", EntryPoint = "posix_fadvise")]
        internal static extern int FileAdvise(int fd, long offset, long length, int advice);

        [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
        internal static extern int SyncFileRange(int fd, long offset, long length, uint flags);

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        internal static extern int StatX(int dirfd, byte[] path, int flags, uint mask, ref byte buffer);
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

/// <summary>A log file (or archive, or temporary file) that RagMonitor refuses to write: a symbolic link, or not a regular file.</summary>
internal sealed class UnsafeLogFileException : IOException
{
    internal UnsafeLogFileException(string message)
        : base(message)
    {
    }
}
