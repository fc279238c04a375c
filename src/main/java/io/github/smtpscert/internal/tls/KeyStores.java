package io.github.smtpscert.internal.tls;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;

import io.github.smtpscert.internal.ConfigurationProblem;
import org.apache.camel.CamelContext;
import org.apache.camel.support.ResourceHelper;

/** Opens key material locations (file:, classpath: or a plain path) and loads key stores, with errors naming the option. */
public final class KeyStores {

    private KeyStores() {
    }

    /** Opens a location; a plain path is a file, anything with a scheme goes through Camel's resource loader. */
    public static InputStream open(CamelContext context, String option, String location) {
        try {
            if (hasScheme(location)) {
                return ResourceHelper.resolveMandatoryResourceAsInputStream(context, location);
            }
            Path path = Path.of(location);
            if (Files.isDirectory(path)) {
                throw ConfigurationProblem.of(option, location, "is a directory, not a file",
                        "Fix: give the path of the file itself, not of its directory");
            }
            return Files.newInputStream(path);
        } catch (NoSuchFileException | FileNotFoundException e) {
            throw ConfigurationProblem.of(option, location, "the file does not exist",
                    "Fix: give an existing file as a plain path, file:/path or classpath:name", e);
        } catch (AccessDeniedException e) {
            throw ConfigurationProblem.of(option, location, "the file is not readable by this process",
                    "Fix: make it readable by the user running Camel", e);
        } catch (IOException e) {
            throw ConfigurationProblem.of(option, location, "cannot be read (" + e.getMessage() + ")",
                    "Fix: give a readable file as a plain path, file:/path or classpath:name", e);
        }
    }

    public static KeyStore load(CamelContext context, String option, String location, String type, char[] password) {
        KeyStore store;
        try {
            store = KeyStore.getInstance(type);
        } catch (KeyStoreException e) {
            throw ConfigurationProblem.of(option + "Type", type, "unknown key store type",
                    "Fix: use PKCS12 or JKS", e);
        }
        try (InputStream in = open(context, option, location)) {
            store.load(in, password);
            return store;
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || isPasswordMessage(e)) {
                throw ConfigurationProblem.of(option + "Password", null,
                        "wrong password for " + option + "=" + location,
                        "Fix: set " + option + "Password to the store's password", e);
            }
            throw ConfigurationProblem.of(option, location,
                    "is not a " + type + " key store (" + e.getMessage() + ")",
                    "Fix: check " + option + "Type (PKCS12 or JKS) and that the file is a key store", e);
        } catch (java.security.GeneralSecurityException e) {
            throw ConfigurationProblem.of(option, location, "cannot be loaded (" + e.getMessage() + ")",
                    "Fix: check " + option + "Type and the file", e);
        }
    }

    private static boolean isPasswordMessage(IOException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return message.contains("password");
    }

    static boolean hasScheme(String location) {
        int colon = location.indexOf(':');
        // "C:\..." is a Windows path, not a scheme
        return colon > 1 && location.substring(0, colon).chars().allMatch(Character::isLetter);
    }
}
