package io.github.smtpscert.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Temporary folders for key stores, PEM keys and trust files that never outlive the JVM: whoever creates one deletes
 * it with {@link #delete(Path)} when done (a fixture's {@code close()}, a test's {@code @AfterAll}), and whatever is
 * still there when the JVM exits is deleted then. Use JUnit's {@code @TempDir} where a test can; this is for
 * fixtures, servers and programs that JUnit does not manage.
 */
public final class TempDirs {

    private static final Set<Path> UNDELETED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TempDirs::deleteAll, "TempDirs cleanup"));
    }

    private TempDirs() {
    }

    /** A new folder under {@code java.io.tmpdir}, readable by the owner only, deleted at the latest when the JVM exits. */
    public static Path create(String prefix) {
        try {
            return deleteAtExit(Files.createTempDirectory(prefix));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder " + prefix + "*", e);
        }
    }

    /** Registers an existing folder to be deleted, with its content, when the JVM exits (unless deleted before). */
    public static Path deleteAtExit(Path dir) {
        UNDELETED.add(dir.toAbsolutePath());
        return dir;
    }

    /** Deletes the folder and everything in it now; a folder that is already gone is fine. */
    public static void delete(Path dir) {
        deleteRecursively(dir);
        UNDELETED.remove(dir.toAbsolutePath());
    }

    /** Folders made by {@link #create} or registered with {@link #deleteAtExit} that are not deleted yet. */
    public static Set<Path> undeleted() {
        return Set.copyOf(UNDELETED);
    }

    private static void deleteAll() {
        for (Path dir : UNDELETED) {
            try {
                deleteRecursively(dir);
            } catch (RuntimeException | LinkageError e) {
                System.err.println("TempDirs: could not delete " + dir + ": " + e);
            }
        }
    }

    // JDK classes only: it also runs in the shutdown hook, when a plugin's class loader (exec:java) may be closed
    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) { // does not follow links
            paths = new ArrayList<>(walk.toList());
        } catch (NoSuchFileException e) {
            return; // deleted meanwhile
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        Collections.reverse(paths); // a folder's content before the folder
        for (Path path : paths) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + path, e);
            }
        }
    }
}
