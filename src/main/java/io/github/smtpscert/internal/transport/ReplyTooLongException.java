package io.github.smtpscert.internal.transport;

import java.io.IOException;

/** The server sent more than a reply may hold; the connection was closed at once. */
final class ReplyTooLongException extends IOException {

    ReplyTooLongException(String message) {
        super(message);
    }
}
