package io.gnetj.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mapping request paths to files, attacker first: nothing outside the root, nothing ambiguous. */
class DocumentRootTest {

    @TempDir
    Path tmp;
    private Path root;
    private DocumentRoot documents;

    @BeforeEach
    void tree() throws Exception {
        root = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(root.resolve("a.txt"), "a");
        Files.writeString(root.resolve("with space.txt"), "s");
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("docs/index.html"), "<p>");
        Files.createDirectories(root.resolve("empty"));
        Files.writeString(root.resolve(".env"), "SECRET=1");
        Files.writeString(tmp.resolve("secret.txt"), "outside");
        Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(root.resolve("out.txt"), tmp.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("outdir"), tmp);
        Files.createSymbolicLink(root.resolve("in.txt"), root.resolve("a.txt"));
        documents = new DocumentRoot(root);
    }

    private int status(String rawPath) {
        return documents.resolve(rawPath.getBytes(StandardCharsets.ISO_8859_1)).status();
    }

    private Path file(String rawPath) {
        DocumentRoot.Lookup l = documents.resolve(rawPath.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(l.status()).as(rawPath).isEqualTo(200);
        return l.file();
    }

    @Test
    void plainPathsAndPercentEncodingMapToFilesInTheRoot() throws Exception {
        Path real = root.toRealPath();
        assertThat(file("/a.txt")).isEqualTo(real.resolve("a.txt"));
        assertThat(file("/%61.txt")).isEqualTo(real.resolve("a.txt"));
        assertThat(file("/with%20space.txt")).isEqualTo(real.resolve("with space.txt"));
        assertThat(file("//a.txt")).isEqualTo(real.resolve("a.txt"));
        assertThat(file("/in.txt")).isEqualTo(real.resolve("a.txt")); // a symlink inside the root
    }

    @Test
    void aDirectoryIsItsIndexOrForbidden() throws Exception {
        assertThat(file("/docs/")).isEqualTo(root.toRealPath().resolve("docs/index.html"));
        assertThat(file("/docs")).isEqualTo(root.toRealPath().resolve("docs/index.html"));
        assertThat(status("/empty/")).isEqualTo(403);
        assertThat(status("/")).isEqualTo(403);
        assertThat(status("")).isEqualTo(403); // absolute-form without a path: the root
    }

    @Test
    void dotSegmentsInAnySpellingAreForbidden() {
        for (String path : new String[] {"/../secret.txt", "/../../etc/passwd", "/%2e%2e/secret.txt",
                "/%2E%2E/%2e%2e/etc/passwd", "/docs/../a.txt", "/./a.txt", "/.%2e/secret.txt", "/docs/.."}) {
            assertThat(status(path)).as(path).isEqualTo(403);
        }
    }

    @Test
    void separatorsThatAreNotPlainSlashesAreForbidden() {
        for (String path : new String[] {"/..%2fsecret.txt", "/%2F..%2Fsecret.txt", "/docs%2findex.html",
                "/..\\secret.txt", "/%5c..%5csecret.txt", "/a.txt\\"}) {
            assertThat(status(path)).as(path).isEqualTo(403);
        }
    }

    @Test
    void symlinksLeadingOutOfTheRootAreForbidden() {
        assertThat(status("/out.txt")).isEqualTo(403);
        assertThat(status("/outdir/secret.txt")).isEqualTo(403);
        assertThat(status("/outdir/")).isEqualTo(403);
    }

    @Test
    void absolutePathsStayInsideTheRoot() {
        assertThat(status("//etc/passwd")).isEqualTo(404); // ROOT/etc/passwd, which does not exist
        assertThat(status("/etc/passwd")).isEqualTo(404);
    }

    @Test
    void malformedEncodingNulAndControlBytesAreBadRequests() {
        for (String path : new String[] {"/a%", "/a%2", "/a%zz.txt", "/a.txt%00", "/a%00.txt", "/%0a", "/%7f",
                "/%ff%fe", "/%c0%af", "*", "a.txt"}) {
            assertThat(status(path)).as(path).isEqualTo(400);
        }
    }

    @Test
    void missingFilesDotFilesAndNonDirectoriesAreNotFound() {
        assertThat(status("/nope.txt")).isEqualTo(404);
        assertThat(status("/.env")).isEqualTo(404);
        assertThat(status("/%2eenv")).isEqualTo(404);
        assertThat(status("/a.txt/b")).isEqualTo(404);
    }

    @Test
    void unreadableFilesAndSpecialFilesAreForbidden() throws Exception {
        Path fifo = root.resolve("pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        assertThat(status("/pipe")).isEqualTo(403); // opening it would block the loop
        Path locked = Files.createDirectories(root.resolve("locked"));
        Files.writeString(locked.resolve("x.txt"), "x");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            if (!Files.isReadable(locked)) { // root ignores permissions
                assertThat(status("/locked/x.txt")).isIn(403, 404);
            }
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
