/** Internal, not API: turns an exchange into a MIME message before any byte goes to the server. */
package io.github.smtpscert.internal.message;
