package org.fleetrec.ingest.tls;

import org.fleetrec.model.ServerTrust;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for a server nobody gave one, made once and kept: a PKCS#12 key store
 * (its password beside it, 0600) and the certificate as PEM, which clients take as their CA file.
 * The JDK's keytool makes it, so no crypto library joins the build for a development convenience.
 */
public record DevelopmentCertificate(Path keyStore, char[] password, Path certificate) {
    private static final String ALIAS = "ingest";

    /** Loads the one made earlier in {@code dir}, or makes one valid for {@code bindHost} and this host's names. */
    public static DevelopmentCertificate loadOrCreate(Path dir, String bindHost) throws IOException, InterruptedException {
        Path keyStore = dir.resolve("ingest.p12");
        Path passwordFile = dir.resolve("ingest.p12.password");
        Path certificate = dir.resolve(ServerTrust.DEVELOPMENT_CERTIFICATE);
        if (Files.exists(keyStore) && Files.exists(passwordFile) && Files.exists(certificate)) {
            return new DevelopmentCertificate(keyStore, Files.readString(passwordFile).strip().toCharArray(), certificate);
        }
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        // Made under temporary names and moved in last, so a crash never leaves half a set that looks whole.
        Path tempStore = dir.resolve("ingest.p12.tmp");
        Path tempCert = dir.resolve("ingest.crt.tmp");
        Files.deleteIfExists(tempStore);
        Files.deleteIfExists(tempCert);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        keytool(password, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=Fleet Recorder ingest (development)", "-validity", "825",
                "-ext", "SAN=" + subjectAlternativeNames(bindHost), "-ext", "EKU=serverAuth",
                "-keystore", tempStore.toString(), "-storetype", "PKCS12", "-storepass:env", "FLEETREC_KEYSTORE_PASSWORD",
                "-keypass:env", "FLEETREC_KEYSTORE_PASSWORD");
        keytool(password, "-exportcert", "-rfc", "-alias", ALIAS, "-keystore", tempStore.toString(),
                "-storepass:env", "FLEETREC_KEYSTORE_PASSWORD", "-file", tempCert.toString());
        Path tempPassword = dir.resolve("ingest.p12.password.tmp");
        Files.deleteIfExists(tempPassword);
        Files.createFile(tempPassword, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tempPassword, password + "\n");
        Files.setPosixFilePermissions(tempStore, PosixFilePermissions.fromString("rw-------"));
        Files.move(tempPassword, passwordFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tempStore, keyStore, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tempCert, certificate, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new DevelopmentCertificate(keyStore, password.toCharArray(), certificate);
    }

    /** Loopback, this host's name, and the bind address when it names one host. */
    static String subjectAlternativeNames(String bindHost) {
        Set<String> names = new LinkedHashSet<>(List.of("dns:localhost", "ip:127.0.0.1", "ip:::1"));
        try {
            String hostName = InetAddress.getLocalHost().getHostName();
            if (hostName.matches("[A-Za-z0-9.-]+")) names.add("dns:" + hostName);
        } catch (IOException e) {
            // a host without a resolvable name still gets a certificate for loopback
        }
        if (bindHost != null && !bindHost.equals("0.0.0.0") && !bindHost.equals("::")) {
            names.add((bindHost.matches("[0-9.]+") || bindHost.contains(":") ? "ip:" : "dns:") + bindHost);
        }
        return String.join(",", names);
    }

    /** Runs keytool with the password in its environment, never on a command line others can read. */
    private static void keytool(String password, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("FLEETREC_KEYSTORE_PASSWORD", password);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("keytool did not finish within 60 s");
        }
        if (process.exitValue() != 0) throw new IOException("keytool failed (" + process.exitValue() + "): " + output.strip());
    }
}
