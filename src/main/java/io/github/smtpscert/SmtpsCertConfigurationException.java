package io.github.smtpscert;

/**
 * A configuration problem found at endpoint creation or route start. The message names the option, the input (never
 * a secret) and the fix.
 */
public class SmtpsCertConfigurationException extends IllegalArgumentException {

    public SmtpsCertConfigurationException(String message) {
        super(message);
    }

    public SmtpsCertConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Builds "option=input: problem. fix" so every message has the same shape. */
    public static SmtpsCertConfigurationException of(String option, Object input, String problem, String fix) {
        return of(option, input, problem, fix, null);
    }

    public static SmtpsCertConfigurationException of(
            String option, Object input, String problem, String fix, Throwable cause) {
        String where = input == null ? option : option + "=" + input;
        return new SmtpsCertConfigurationException(where + ": " + problem + ". " + fix, cause);
    }
}
