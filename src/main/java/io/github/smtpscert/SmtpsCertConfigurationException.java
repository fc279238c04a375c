package io.github.smtpscert;

import io.github.smtpscert.internal.ConfigurationProblem;

/**
 * A configuration problem found at endpoint creation or route start. The message names the option, the input (never
 * a secret) and the fix.
 */
public class SmtpsCertConfigurationException extends IllegalArgumentException {

    /** @param message option, input (never a secret), problem and fix */
    public SmtpsCertConfigurationException(String message) {
        super(message);
    }

    /**
     * @param message option, input (never a secret), problem and fix
     * @param cause   what the check ran into
     */
    public SmtpsCertConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Builds "option=input: problem. fix" so every message has the same shape.
     *
     * @param option  the option that is wrong
     * @param input   what was given (null for secrets, or when there was nothing)
     * @param problem what is wrong with it
     * @param fix     "Fix: ..." what to do
     * @return the exception, to throw
     */
    public static SmtpsCertConfigurationException of(String option, Object input, String problem, String fix) {
        return new SmtpsCertConfigurationException(ConfigurationProblem.format(option, input, problem, fix));
    }

    /** The same problem found by the internals, as this public type; keeps their stack trace. */
    static SmtpsCertConfigurationException from(ConfigurationProblem problem) {
        SmtpsCertConfigurationException e = new SmtpsCertConfigurationException(problem.getMessage(), problem.getCause());
        e.setStackTrace(problem.getStackTrace());
        return e;
    }
}
