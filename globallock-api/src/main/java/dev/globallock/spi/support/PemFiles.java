/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and private keys with the JDK alone. Private keys may be PKCS#8 ({@code
 * BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) or SEC1 EC ({@code BEGIN EC
 * PRIVATE KEY}, with its curve named in the key, as OpenSSL and cfssl write it); the last two are
 * rewrapped as PKCS#8. Encrypted keys are refused with the command that decrypts them. Failures are
 * {@link PemException}s whose message says what is wrong in words that never include the key. Stateless.
 */
final class PemFiles {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");
    private static final String DECRYPT_HINT =
            "decrypt it first, e.g. openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem";
    /** rsaEncryption, 1.2.840.113549.1.1.1 */
    private static final byte[] RSA_OID = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    /** id-ecPublicKey, 1.2.840.10045.2.1 */
    private static final byte[] EC_OID = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private PemFiles() {}

    /** A PEM file could not be used; the message is safe to show (no key material). */
    static final class PemException extends Exception {
        private static final long serialVersionUID = 1L;

        PemException(String message) {
            super(message);
        }

        PemException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Every certificate in the text, in order.
     *
     * @throws PemException when there is none, or one cannot be read
     */
    static List<X509Certificate> certificates(String text) throws PemException {
        List<X509Certificate> certificates = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(text);
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new PemException("the JVM has no X.509 certificate support: " + e.getMessage(), e);
        }
        while (matcher.find()) {
            if (!matcher.group(1).equals("CERTIFICATE")) {
                continue;
            }
            byte[] der = decode(matcher.group(2), "certificate " + (certificates.size() + 1));
            try {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException e) {
                throw new PemException(
                        "its certificate " + (certificates.size() + 1) + " cannot be read: " + e.getMessage(), e);
            }
        }
        if (certificates.isEmpty()) {
            throw new PemException("it holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    /**
     * The first private key in the text.
     *
     * @throws PemException when there is none, it is encrypted, or it cannot be read
     */
    static PrivateKey privateKey(String text) throws PemException {
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            String type = matcher.group(1);
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(decode(matcher.group(2), "private key"), "PKCS#8");
                case "RSA PRIVATE KEY":
                    return pkcs8(rsaToPkcs8(decode(matcher.group(2), "private key")), "PKCS#1 RSA");
                case "EC PRIVATE KEY":
                    return pkcs8(ecToPkcs8(decode(matcher.group(2), "private key")), "SEC1 EC");
                case "ENCRYPTED PRIVATE KEY":
                    throw new PemException("its private key is encrypted, which is not supported: " + DECRYPT_HINT);
                default:
                // EC PARAMETERS, CERTIFICATE, ...: not a key
            }
        }
        if (text.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new PemException("its private key is encrypted, which is not supported: " + DECRYPT_HINT);
        }
        throw new PemException(
                "it holds no PEM private key (-----BEGIN PRIVATE KEY-----, or RSA PRIVATE KEY, or EC PRIVATE KEY)");
    }

    private static byte[] decode(String base64, String what) throws PemException {
        try {
            return Base64.getMimeDecoder().decode(base64.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new PemException("its " + what + " is not valid base64", e);
        }
    }

    private static PrivateKey pkcs8(byte[] der, String format) throws PemException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "EdDSA", "RSASSA-PSS", "XDH", "DSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException | RuntimeException e) {
                // try the next algorithm; the key's own is one of them
            }
        }
        throw new PemException("its " + format + " private key cannot be read as an RSA, EC, EdDSA or DSA key");
    }

    /** PKCS#1 RSAPrivateKey → PrivateKeyInfo { 0, { rsaEncryption, NULL }, OCTET STRING { key } }. */
    static byte[] rsaToPkcs8(byte[] pkcs1) {
        byte[] algorithm = tlv(0x30, concat(tlv(0x06, RSA_OID), new byte[] {0x05, 0x00}));
        return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, pkcs1)));
    }

    /**
     * SEC1 ECPrivateKey { 1, key, [0] curve OID, [1] public key } → PrivateKeyInfo { 0, {
     * id-ecPublicKey, curve }, OCTET STRING { ECPrivateKey } }.
     */
    static byte[] ecToPkcs8(byte[] sec1) throws PemException {
        byte[] curve = null;
        try {
            Der outer = new Der(sec1, 0);
            if (outer.tag != 0x30) {
                throw new PemException("its SEC1 EC private key is not a DER sequence");
            }
            int position = outer.valueStart;
            while (position < outer.end) {
                Der element = new Der(sec1, position);
                if (element.tag == 0xa0) {
                    Der oid = new Der(sec1, element.valueStart);
                    if (oid.tag == 0x06) {
                        curve = java.util.Arrays.copyOfRange(sec1, element.valueStart, oid.end);
                    }
                }
                position = element.end;
            }
        } catch (IndexOutOfBoundsException e) {
            throw new PemException("its SEC1 EC private key is truncated", e);
        }
        if (curve == null) {
            throw new PemException("its SEC1 EC private key does not name its curve: convert it to PKCS#8 with "
                    + "openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem");
        }
        byte[] algorithm = tlv(0x30, concat(tlv(0x06, EC_OID), curve));
        return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, sec1)));
    }

    /** One DER element's tag and bounds. */
    private static final class Der {
        final int tag;
        final int valueStart;
        final int end;

        Der(byte[] der, int offset) {
            tag = der[offset] & 0xff;
            int first = der[offset + 1] & 0xff;
            int length;
            int start;
            if (first < 0x80) {
                length = first;
                start = offset + 2;
            } else {
                int bytes = first & 0x7f;
                if (bytes == 0 || bytes > 3) {
                    throw new IndexOutOfBoundsException("unsupported DER length");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[offset + 2 + i] & 0xff);
                }
                start = offset + 2 + bytes;
            }
            if (start + length > der.length) {
                throw new IndexOutOfBoundsException("DER element longer than its data");
            }
            valueStart = start;
            end = start + length;
        }
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write((length >> 8) & 0xff);
            out.write(length & 0xff);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
