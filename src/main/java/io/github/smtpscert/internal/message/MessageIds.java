package io.github.smtpscert.internal.message;

import java.util.regex.Pattern;

import io.github.smtpscert.internal.ConfigurationProblem;

/** Checks a Message-ID given by the user: RFC 5322 msg-id, {@code <id-left@id-right>}. */
public final class MessageIds {

    private static final String ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
    private static final String DOT_ATOM = ATEXT + "+(?:\\." + ATEXT + "+)*";
    // id-right may also be a no-fold-literal, [dtext]
    private static final Pattern MSG_ID = Pattern.compile(
            DOT_ATOM + "@(?:" + DOT_ATOM + "|\\[[\\x21-\\x5a\\x5e-\\x7e]*\\])");
    /** RFC 5322 caps a header line at 998 characters; "Message-ID: " takes 12 of them. */
    private static final int MAX_LENGTH = 900;

    private MessageIds() {
    }

    /**
     * The value as a Message-ID header value: with its angle brackets, added when it came without them.
     *
     * @param option what the value came from, named in the error
     * @throws ConfigurationProblem when the value is not a msg-id
     */
    public static String toHeader(String option, String value) {
        if (value == null || value.isBlank()) {
            throw ConfigurationProblem.of(option, value, "gave an empty Message-ID",
                    "Fix: make sure the expression finds its value, e.g. that the header it reads is set");
        }
        String id = value.startsWith("<") && value.endsWith(">") && value.length() > 1
                ? value.substring(1, value.length() - 1)
                : value;
        if (id.length() > MAX_LENGTH || !MSG_ID.matcher(id).matches()) {
            String shown = printable(value.length() > 200 ? value.substring(0, 200) + "..." : value);
            throw ConfigurationProblem.of(option, shown, "is not a Message-ID (RFC 5322: left@right, each part "
                    + "letters, digits, dots and !#$%&'*+/=?^_`{|}~-, with or without <>, at most " + MAX_LENGTH
                    + " characters)", "Fix: build it from a unique token and your domain, for example "
                    + "${header.OutboxId}@outbox.example.org; replace other characters (a JMS message id's ':')");
        }
        return "<" + id + ">";
    }

    /** The text with control characters escaped, for an error message. */
    public static String printable(String text) {
        return MessageBuilder.printable(text);
    }
}
