package io.github.smtpscert.examples.outbox;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reads the mails of one test run from Postfix's Maildir: by the run id in their Subject, headers only. */
final class Maildir {

    /** One delivered file: the mail's number in the run, the identity it asked for, its Message-ID, the verified CN. */
    record Delivered(Path file, int seq, String identity, String messageId, String clientCn) {
    }

    /** In Postfix's Received header: {@code (Client CN "alice", Issuer "..." (verified OK))}. */
    private static final Pattern CLIENT = Pattern.compile("\\(Client CN \"([^\"]*)\", Issuer \"[^\"]*\" \\(verified OK\\)\\)");

    private final Path root;
    private final String runId;
    private final Pattern subject;
    private final Set<String> seen = new HashSet<>();
    private final List<Delivered> delivered = new ArrayList<>();

    Maildir(Path root, String runId) {
        this.root = root;
        this.runId = runId;
        this.subject = Pattern.compile("outbox run " + Pattern.quote(runId) + " mail (\\d+) as (\\w+)");
    }

    /** The subject the driver gives mail number seq. */
    static String subject(String runId, int seq, String identity) {
        return "outbox run " + runId + " mail " + seq + " as " + identity;
    }

    /** Reads the files that arrived since the last call; returns all of this run's deliveries so far. */
    List<Delivered> scan() throws IOException {
        for (String folder : new String[] {"new", "cur"}) {
            try (Stream<Path> files = Files.list(root.resolve(folder))) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    if (seen.add(file.getFileName().toString())) {
                        read(file);
                    }
                }
            }
        }
        return delivered;
    }

    private void read(Path file) throws IOException {
        StringBuilder headers = new StringBuilder();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                // unfold: a continuation line belongs to the header before it
                headers.append(line.startsWith(" ") || line.startsWith("\t") ? " " + line.strip() : "\n" + line);
            }
        } catch (NoSuchFileException e) {
            return; // another test's mail, removed meanwhile
        }
        String text = headers.toString();
        if (!text.contains(runId)) {
            return;
        }
        Matcher s = subject.matcher(text);
        Matcher c = CLIENT.matcher(text);
        Matcher id = Pattern.compile("(?m)^Message-ID: (\\S+)", Pattern.CASE_INSENSITIVE).matcher(text);
        if (s.find()) {
            delivered.add(new Delivered(file, Integer.parseInt(s.group(1)), s.group(2), id.find() ? id.group(1) : null,
                    c.find() ? c.group(1) : null));
        }
    }

    /** Deletes this run's files, so the Maildir is left as it was. */
    void deleteRun() throws IOException {
        for (Delivered d : delivered) {
            Files.deleteIfExists(d.file());
        }
    }
}
