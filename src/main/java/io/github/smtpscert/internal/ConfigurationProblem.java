package io.github.smtpscert.internal;

/**
 * A bad option or input found by the internals, worded as "option=input: problem. fix". The API package turns it into
 * its public configuration exception; internals never depend on the API package, so they cannot throw that one.
 */
public final class ConfigurationProblem extends RuntimeException {

    private ConfigurationProblem(String message, Throwable cause) {
        super(message, cause);
    }

    /** @param input what the user gave, shown after the option name; null to show the option alone (e.g. secrets) */
    public static ConfigurationProblem of(String option, Object input, String problem, String fix) {
        return of(option, input, problem, fix, null);
    }

    public static ConfigurationProblem of(String option, Object input, String problem, String fix, Throwable cause) {
        return new ConfigurationProblem(format(option, input, problem, fix), cause);
    }

    /** The one shape of every configuration message. */
    public static String format(String option, Object input, String problem, String fix) {
        String where = input == null ? option : option + "=" + input;
        return where + ": " + problem + ". " + fix;
    }
}
