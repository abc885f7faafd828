package io.gnetj.examples.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The directory {@code http --root DIR} serves, and the rules that map a request path to a file
 * in it. Written for a hostile client: a path is mapped only if it provably names a regular file
 * inside the root.
 *
 * <ol>
 *   <li>The path must start with {@code /}. It is percent-decoded; a malformed escape, a NUL or
 *       another control byte (raw or decoded), or bytes that are not UTF-8 are a 400.
 *   <li>A backslash (raw or decoded) or an encoded slash ({@code %2F}) is a 403: either could make
 *       two spellings of one path, or a separator where the client meant none.
 *   <li>The path is split on {@code /}; empty segments are skipped (so {@code //etc/passwd} is
 *       {@code ROOT/etc/passwd}, never {@code /etc/passwd}); a {@code .} or {@code ..} segment is
 *       a 403 (paths are not normalised: a request must be canonical); any other segment starting
 *       with {@code .} (dot files: {@code .git}, {@code .env}) is a 404. Each segment is resolved
 *       on its own, and must stay one name below its parent.
 *   <li>{@link Path#toRealPath()} follows symlinks; the real path must start with the real root,
 *       else 403 (a symlink pointing out of the root). A missing file is a 404.
 *   <li>A directory is served as its {@code index.html} (checked the same way) if it has one,
 *       else 403. Anything that is not a regular file (a FIFO, a device) is a 403: opening a FIFO
 *       would block the event loop.
 * </ol>
 * The caller opens the real path with {@link LinkOption#NOFOLLOW_LINKS}, so a final component
 * replaced by a symlink after the check is not followed.
 *
 * <p>These are blocking file-system calls on the event loop, as cheap as a {@code stat} on a
 * local disk; a root on a network file system would want them on a worker pool. Each lookup
 * allocates (a few strings and paths): serving a file costs a system call or two anyway.
 *
 * <p>Threading: immutable; any thread.
 */
public final class DocumentRoot {

    /** What a request path maps to: {@code status} 200 and a regular file, or the status to answer. */
    record Lookup(int status, Path file, long lastModifiedMillis) {
        static Lookup status(int status) {
            return new Lookup(status, null, 0);
        }
    }

    static final String INDEX = "index.html";

    private final Path realRoot;

    /**
     * @param dir the directory to serve
     * @throws IOException              if it cannot be resolved
     * @throws IllegalArgumentException if it is not a directory
     */
    public DocumentRoot(Path dir) throws IOException {
        Path real = dir.toRealPath();
        if (!Files.isDirectory(real)) {
            throw new IllegalArgumentException(dir + " is not a directory");
        }
        this.realRoot = real;
    }

    /** The served directory, symlinks resolved. */
    public Path path() {
        return realRoot;
    }

    /** Maps the request path at {@code [start, start + length)} of {@code buf} (absolute indexes). */
    Lookup resolve(ByteBuffer buf, int start, int length) {
        byte[] raw = new byte[length];
        buf.get(start, raw, 0, length);
        return resolve(raw);
    }

    /** Maps a raw (still percent-encoded) request path. */
    Lookup resolve(byte[] raw) {
        if (raw.length == 0) {
            raw = new byte[] {'/'}; // absolute-form "http://host" names the root
        }
        if (raw[0] != '/') {
            return Lookup.status(400); // "*" or anything else that is not a path
        }
        byte[] decoded = new byte[raw.length];
        int n = 0;
        for (int i = 0; i < raw.length; i++) {
            int b = raw[i] & 0xff;
            if (b == '%') {
                int hi = i + 2 < raw.length ? hex(raw[i + 1]) : -1;
                int lo = hi >= 0 ? hex(raw[i + 2]) : -1;
                if (lo < 0) {
                    return Lookup.status(400);
                }
                b = hi << 4 | lo;
                i += 2;
                if (b == '/') {
                    return Lookup.status(403);
                }
            }
            if (b < 0x20 || b == 0x7f) {
                return Lookup.status(400);
            }
            if (b == '\\') {
                return Lookup.status(403);
            }
            decoded[n++] = (byte) b;
        }
        String path;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(decoded, 0, n));
            path = chars.toString();
        } catch (CharacterCodingException e) {
            return Lookup.status(400);
        }
        Path candidate = realRoot;
        boolean hidden = false;
        for (String segment : path.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.equals(".") || segment.equals("..")) {
                return Lookup.status(403);
            }
            hidden |= segment.charAt(0) == '.';
            Path next;
            try {
                next = candidate.resolve(segment);
            } catch (InvalidPathException e) {
                return Lookup.status(400);
            }
            if (next.isAbsolute() != candidate.isAbsolute() || !candidate.equals(next.getParent())) {
                return Lookup.status(403); // the segment was not one plain name (a drive, a separator)
            }
            candidate = next;
        }
        if (hidden) {
            return Lookup.status(404);
        }
        return lookup(candidate, true);
    }

    private Lookup lookup(Path candidate, boolean directoryAllowed) {
        Path real;
        BasicFileAttributes attributes;
        try {
            real = candidate.toRealPath();
            if (!real.startsWith(realRoot)) {
                return Lookup.status(403);
            }
            attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Lookup.status(404);
        } catch (AccessDeniedException e) {
            return Lookup.status(403);
        } catch (IOException | SecurityException e) {
            return Lookup.status(404); // e.g. "Not a directory": a file named as if it were one
        }
        if (attributes.isDirectory()) {
            if (!directoryAllowed) {
                return Lookup.status(403);
            }
            Lookup index = lookup(real.resolve(INDEX), false);
            return index.status() == 404 ? Lookup.status(403) : index;
        }
        if (!attributes.isRegularFile()) {
            return Lookup.status(403);
        }
        return new Lookup(200, real, attributes.lastModifiedTime().toMillis());
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
