package io.github.smtpscert.archfixture.internal.tls;

import io.github.smtpscert.archfixture.Api;

/** Depends back on the API package: a cycle, and internals using the API. */
public class Key {
    Api api;
}
