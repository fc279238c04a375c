package io.github.smtpscert.archfixture;

import io.github.smtpscert.archfixture.internal.tls.Key;

/** A deliberately broken layout for PackageRulesTest: every rule must report it. */
public class Api {
    Key key;
}
