//! The package URL parser against the purl specification's own test
//! suite, and palisade's cases.
//!
//! `SPEC` re-expresses the `parse` vectors of the purl-spec test suite
//! (<https://github.com/package-url/purl-spec>, `tests/spec/` and
//! `tests/types/` for the types palisade reads plus a few registered
//! others, commit 16f3d0e39343d47d1ac3d559b7e110f25eac1513, MIT licensed)
//! as a Rust table: input, then the expected components or `None` for an
//! input the suite says must fail.

#![allow(clippy::unwrap_used)]

use palisade_sbom::purl::{Purl, MAX_PURL_LEN};

struct P {
    ty: &'static str,
    namespace: Option<&'static str>,
    name: &'static str,
    version: Option<&'static str>,
    qualifiers: &'static [(&'static str, &'static str)],
    subpath: Option<&'static str>,
}

struct V {
    input: &'static str,
    ok: Option<P>,
}

#[rustfmt::skip]
const SPEC: &[V] = &[
    V { input: "EnterpriseLibrary.Common@6.0.1304", ok: None },
    V { input: "pkg:EnterpriseLibrary.Common@6.0.1304", ok: None },
    V { input: "pkg:n&g?inx/nginx@0.8.9", ok: None },
    V { input: "pkg:3nginx/nginx@0.8.9", ok: None },
    V { input: "pkg:nginx:a/nginx@0.8.9", ok: None },
    V { input: "pkg:npm/myartifact@1.0.0?in%20production=true", ok: None },
    V { input: "pkg:maven/@1.3.4", ok: None },
    V { input: "pkg%3Amaven/org.apache.commons/io", ok: None },
    V { input: "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie", ok: Some(P { ty: "deb", namespace: Some("debian"), name: "curl", version: Some("7.50.3-1"), qualifiers: &[("arch", "i386"), ("distro", "jessie")], subpath: None }) },
    V { input: "pkg:deb/debian/dpkg@1.19.0.4?arch=amd64&distro=stretch", ok: Some(P { ty: "deb", namespace: Some("debian"), name: "dpkg", version: Some("1.19.0.4"), qualifiers: &[("arch", "amd64"), ("distro", "stretch")], subpath: None }) },
    V { input: "pkg:deb/ubuntu/dpkg@1.19.0.4?arch=amd64", ok: Some(P { ty: "deb", namespace: Some("ubuntu"), name: "dpkg", version: Some("1.19.0.4"), qualifiers: &[("arch", "amd64")], subpath: None }) },
    V { input: "pkg:deb/debian/attr@1:2.4.47-2?arch=source", ok: Some(P { ty: "deb", namespace: Some("debian"), name: "attr", version: Some("1:2.4.47-2"), qualifiers: &[("arch", "source")], subpath: None }) },
    V { input: "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64", ok: Some(P { ty: "deb", namespace: Some("debian"), name: "attr", version: Some("1:2.4.47-2+b1"), qualifiers: &[("arch", "amd64")], subpath: None }) },
    // The suite expects a failure here (upper-case qualifier keys) but
    // lower-cases `repositorY_url` in the Maven vectors; palisade follows
    // the parsing procedure, which lower-cases keys.
    V { input: "pkg:Rpm/fedora/curl@7.50.3-1.fc25?Arch=i386&Distro=fedora-25", ok: Some(P { ty: "rpm", namespace: Some("fedora"), name: "curl", version: Some("7.50.3-1.fc25"), qualifiers: &[("arch", "i386"), ("distro", "fedora-25")], subpath: None }) },
    V { input: "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25", ok: Some(P { ty: "rpm", namespace: Some("fedora"), name: "curl", version: Some("7.50.3-1.fc25"), qualifiers: &[("arch", "i386"), ("distro", "fedora-25")], subpath: None }) },
    V { input: "pkg:rpm/fedora/centerim@4.22.10-1.el6?arch=i686&epoch=1&distro=fedora-25", ok: Some(P { ty: "rpm", namespace: Some("fedora"), name: "centerim", version: Some("4.22.10-1.el6"), qualifiers: &[("arch", "i686"), ("distro", "fedora-25"), ("epoch", "1")], subpath: None }) },
    V { input: "pkg:apk/alpine/curl@7.83.0-r0?arch=x86", ok: Some(P { ty: "apk", namespace: Some("alpine"), name: "curl", version: Some("7.83.0-r0"), qualifiers: &[("arch", "x86")], subpath: None }) },
    V { input: "pkg:apk/alpine/apk@2.12.9-r3?arch=x86", ok: Some(P { ty: "apk", namespace: Some("alpine"), name: "apk", version: Some("2.12.9-r3"), qualifiers: &[("arch", "x86")], subpath: None }) },
    V { input: "pkg:PYPI/Django_package@1.11.1.dev1", ok: Some(P { ty: "pypi", namespace: None, name: "django-package", version: Some("1.11.1.dev1"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:pypi/django@1.11.1", ok: Some(P { ty: "pypi", namespace: None, name: "django", version: Some("1.11.1"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:pypi/django@1.11.1?file_name=Django-1.11.1.tar.gz", ok: Some(P { ty: "pypi", namespace: None, name: "django", version: Some("1.11.1"), qualifiers: &[("file_name", "Django-1.11.1.tar.gz")], subpath: None }) },
    V { input: "pkg:pypi/django@1.11.1?file_name=Django-1.11.1-py2.py3-none-any.whl", ok: Some(P { ty: "pypi", namespace: None, name: "django", version: Some("1.11.1"), qualifiers: &[("file_name", "Django-1.11.1-py2.py3-none-any.whl")], subpath: None }) },
    V { input: "pkg:pypi/django-allauth@12.23", ok: Some(P { ty: "pypi", namespace: None, name: "django-allauth", version: Some("12.23"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:npm/%40angular/animation@12.3.1", ok: Some(P { ty: "npm", namespace: Some("@angular"), name: "animation", version: Some("12.3.1"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:npm/foobar@12.3.1", ok: Some(P { ty: "npm", namespace: None, name: "foobar", version: Some("12.3.1"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:npm/mypackage@12.4.5?vcs_url=git://host.com/path/to/repo.git%404345abcd34343", ok: Some(P { ty: "npm", namespace: None, name: "mypackage", version: Some("12.4.5"), qualifiers: &[("vcs_url", "git://host.com/path/to/repo.git@4345abcd34343")], subpath: None }) },
    V { input: "pkg:npm/@babel/core#/googleapis/api/annotations/", ok: Some(P { ty: "npm", namespace: Some("@babel"), name: "core", version: None, qualifiers: &[], subpath: Some("googleapis/api/annotations") }) },
    V { input: "pkg:npm/%40babel/core#/googleapis/api/annotations/", ok: Some(P { ty: "npm", namespace: Some("@babel"), name: "core", version: None, qualifiers: &[], subpath: Some("googleapis/api/annotations") }) },
    V { input: "pkg:cargo/rand@0.7.2", ok: Some(P { ty: "cargo", namespace: None, name: "rand", version: Some("0.7.2"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:cargo/clap@2.33.0", ok: Some(P { ty: "cargo", namespace: None, name: "clap", version: Some("2.33.0"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:cargo/structopt@0.3.11", ok: Some(P { ty: "cargo", namespace: None, name: "structopt", version: Some("0.3.11"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:GOLANG/google.golang.org/genproto#/googleapis/api/annotations/", ok: Some(P { ty: "golang", namespace: Some("google.golang.org"), name: "genproto", version: None, qualifiers: &[], subpath: Some("googleapis/api/annotations") }) },
    V { input: "pkg:GOLANG/google.golang.org/genproto@abcdedf#/googleapis/api/annotations/", ok: Some(P { ty: "golang", namespace: Some("google.golang.org"), name: "genproto", version: Some("abcdedf"), qualifiers: &[], subpath: Some("googleapis/api/annotations") }) },
    V { input: "pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c", ok: Some(P { ty: "golang", namespace: Some("github.com/gorilla"), name: "context", version: Some("234fd47e07d1004f0aed9c"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:golang/google.golang.org/genproto#googleapis/api/annotations", ok: Some(P { ty: "golang", namespace: Some("google.golang.org"), name: "genproto", version: None, qualifiers: &[], subpath: Some("googleapis/api/annotations") }) },
    V { input: "pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c#api", ok: Some(P { ty: "golang", namespace: Some("github.com/gorilla"), name: "context", version: Some("234fd47e07d1004f0aed9c"), qualifiers: &[], subpath: Some("api") }) },
    V { input: "pkg:maven/org.apache.commons/io@1.3.4", ok: Some(P { ty: "maven", namespace: Some("org.apache.commons"), name: "io", version: Some("1.3.4"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:maven/org.apache.commons/io", ok: Some(P { ty: "maven", namespace: Some("org.apache.commons"), name: "io", version: None, qualifiers: &[], subpath: None }) },
    V { input: "pkg:Maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&repositorY_url=https://repo.spring.io/release", ok: Some(P { ty: "maven", namespace: Some("org.apache.xmlgraphics"), name: "batik-anim", version: Some("1.9.1"), qualifiers: &[("classifier", "sources"), ("repository_url", "https://repo.spring.io/release")], subpath: None }) },
    V { input: "pkg:Maven/org.apache.xmlgraphics/batik-anim@1.9.1?type=pom&repositorY_url=repo.spring.io/release", ok: Some(P { ty: "maven", namespace: Some("org.apache.xmlgraphics"), name: "batik-anim", version: Some("1.9.1"), qualifiers: &[("repository_url", "repo.spring.io/release"), ("type", "pom")], subpath: None }) },
    V { input: "pkg:Maven/net.sf.jacob-project/jacob@1.14.3?classifier=x86&type=dll", ok: Some(P { ty: "maven", namespace: Some("net.sf.jacob-project"), name: "jacob", version: Some("1.14.3"), qualifiers: &[("classifier", "x86"), ("type", "dll")], subpath: None }) },
    V { input: "pkg:/maven/org.apache.commons/io", ok: Some(P { ty: "maven", namespace: Some("org.apache.commons"), name: "io", version: None, qualifiers: &[], subpath: None }) },
    V { input: "pkg://maven/org.apache.commons/io", ok: Some(P { ty: "maven", namespace: Some("org.apache.commons"), name: "io", version: None, qualifiers: &[], subpath: None }) },
    V { input: "pkg:///maven/org.apache.commons/io", ok: Some(P { ty: "maven", namespace: Some("org.apache.commons"), name: "io", version: None, qualifiers: &[], subpath: None }) },
    V { input: "pkg:maven/HTTPClient/HTTPClient@0.3-3", ok: Some(P { ty: "maven", namespace: Some("HTTPClient"), name: "HTTPClient", version: Some("0.3-3"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:maven/mygroup/myartifact@1.0.0%20Final?mykey=my%20value", ok: Some(P { ty: "maven", namespace: Some("mygroup"), name: "myartifact", version: Some("1.0.0 Final"), qualifiers: &[("mykey", "my value")], subpath: None }) },
    V { input: "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1", ok: Some(P { ty: "maven", namespace: Some("org.apache.xmlgraphics"), name: "batik-anim", version: Some("1.9.1"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?type=pom", ok: Some(P { ty: "maven", namespace: Some("org.apache.xmlgraphics"), name: "batik-anim", version: Some("1.9.1"), qualifiers: &[("type", "pom")], subpath: None }) },
    V { input: "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources", ok: Some(P { ty: "maven", namespace: Some("org.apache.xmlgraphics"), name: "batik-anim", version: Some("1.9.1"), qualifiers: &[("classifier", "sources")], subpath: None }) },
    V { input: "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?type=zip&classifier=dist", ok: Some(P { ty: "maven", namespace: Some("org.apache.xmlgraphics"), name: "batik-anim", version: Some("1.9.1"), qualifiers: &[("classifier", "dist"), ("type", "zip")], subpath: None }) },
    V { input: "pkg:maven/net.sf.jacob-projec/jacob@1.14.3?classifier=x86&type=dll", ok: Some(P { ty: "maven", namespace: Some("net.sf.jacob-projec"), name: "jacob", version: Some("1.14.3"), qualifiers: &[("classifier", "x86"), ("type", "dll")], subpath: None }) },
    V { input: "pkg:maven/net.sf.jacob-projec/jacob@1.14.3?classifier=x64&type=dll", ok: Some(P { ty: "maven", namespace: Some("net.sf.jacob-projec"), name: "jacob", version: Some("1.14.3"), qualifiers: &[("classifier", "x64"), ("type", "dll")], subpath: None }) },
    V { input: "pkg:maven/groovy/groovy@1.0?repository_url=https://maven.google.com", ok: Some(P { ty: "maven", namespace: Some("groovy"), name: "groovy", version: Some("1.0"), qualifiers: &[("repository_url", "https://maven.google.com")], subpath: None }) },
    // As above: accepted, key lower-cased.
    V { input: "pkg:gem/jruby-launcher@1.1.2?Platform=java", ok: Some(P { ty: "gem", namespace: None, name: "jruby-launcher", version: Some("1.1.2"), qualifiers: &[("platform", "java")], subpath: None }) },
    V { input: "pkg:gem/ruby-advisory-db-check@0.12.4", ok: Some(P { ty: "gem", namespace: None, name: "ruby-advisory-db-check", version: Some("0.12.4"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:gem/jruby-launcher@1.1.2?platform=java", ok: Some(P { ty: "gem", namespace: None, name: "jruby-launcher", version: Some("1.1.2"), qualifiers: &[("platform", "java")], subpath: None }) },
    V { input: "pkg:Nuget/EnterpriseLibrary.Common@6.0.1304", ok: Some(P { ty: "nuget", namespace: None, name: "EnterpriseLibrary.Common", version: Some("6.0.1304"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:nuget/EnterpriseLibrary.Common@6.0.1304", ok: Some(P { ty: "nuget", namespace: None, name: "EnterpriseLibrary.Common", version: Some("6.0.1304"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:composer/guzzlehttp/promises@2.0.2", ok: Some(P { ty: "composer", namespace: Some("guzzlehttp"), name: "promises", version: Some("2.0.2"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:composer/Laravel/Laravel@5.5.0", ok: Some(P { ty: "composer", namespace: Some("laravel"), name: "laravel", version: Some("5.5.0"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:composer/laravel/laravel@5.5.0", ok: Some(P { ty: "composer", namespace: Some("laravel"), name: "laravel", version: Some("5.5.0"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:generic/openssl@1.1.10g", ok: Some(P { ty: "generic", namespace: None, name: "openssl", version: Some("1.1.10g"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:generic/openssl@1.1.10g?download_url=https://openssl.org/source/openssl-1.1.0g.tar.gz&checksum=sha256:de4d501267da", ok: Some(P { ty: "generic", namespace: None, name: "openssl", version: Some("1.1.10g"), qualifiers: &[("checksum", "sha256:de4d501267da"), ("download_url", "https://openssl.org/source/openssl-1.1.0g.tar.gz")], subpath: None }) },
    V { input: "pkg:generic/bitwarderl?vcs_url=git%2Bhttps://git.fsfe.org/dxtr/bitwarderl%40cc55108da32", ok: Some(P { ty: "generic", namespace: None, name: "bitwarderl", version: None, qualifiers: &[("vcs_url", "git+https://git.fsfe.org/dxtr/bitwarderl@cc55108da32")], subpath: None }) },
    V { input: "pkg:oci/debian@sha256%3A244fd47e07d10?repository_url=docker.io/library/debian&arch=amd64&tag=latest", ok: Some(P { ty: "oci", namespace: None, name: "debian", version: Some("sha256:244fd47e07d10"), qualifiers: &[("arch", "amd64"), ("repository_url", "docker.io/library/debian"), ("tag", "latest")], subpath: None }) },
    V { input: "pkg:oci/debian@sha256%3A244fd47e07d10?repository_url=ghcr.io/debian&tag=bullseye", ok: Some(P { ty: "oci", namespace: None, name: "debian", version: Some("sha256:244fd47e07d10"), qualifiers: &[("repository_url", "ghcr.io/debian"), ("tag", "bullseye")], subpath: None }) },
    V { input: "pkg:oci/static@sha256%3A244fd47e07d10?repository_url=gcr.io/distroless/static&tag=latest", ok: Some(P { ty: "oci", namespace: None, name: "static", version: Some("sha256:244fd47e07d10"), qualifiers: &[("repository_url", "gcr.io/distroless/static"), ("tag", "latest")], subpath: None }) },
    V { input: "pkg:oci/hello-wasm@sha256%3A244fd47e07d10?tag=v1", ok: Some(P { ty: "oci", namespace: None, name: "hello-wasm", version: Some("sha256:244fd47e07d10"), qualifiers: &[("tag", "v1")], subpath: None }) },
    V { input: "pkg:docker/customer/dockerimage@sha256:244fd47e07d1004f0aed9c?repository_url=gcr.io", ok: Some(P { ty: "docker", namespace: Some("customer"), name: "dockerimage", version: Some("sha256:244fd47e07d1004f0aed9c"), qualifiers: &[("repository_url", "gcr.io")], subpath: None }) },
    V { input: "pkg:docker/cassandra@latest", ok: Some(P { ty: "docker", namespace: None, name: "cassandra", version: Some("latest"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:docker/smartentry/debian@dc437cc87d10", ok: Some(P { ty: "docker", namespace: Some("smartentry"), name: "debian", version: Some("dc437cc87d10"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:docker/customer/dockerimage@sha256:244fd47e07d10?repository_url=gcr.io", ok: Some(P { ty: "docker", namespace: Some("customer"), name: "dockerimage", version: Some("sha256:244fd47e07d10"), qualifiers: &[("repository_url", "gcr.io")], subpath: None }) },
    V { input: "pkg:github/Package-url/purl-Spec@244fd47e07d1004f0aed9c", ok: Some(P { ty: "github", namespace: Some("package-url"), name: "purl-spec", version: Some("244fd47e07d1004f0aed9c"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:github/package-url/purl-spec@244fd47e07d1004", ok: Some(P { ty: "github", namespace: Some("package-url"), name: "purl-spec", version: Some("244fd47e07d1004"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:github/package-url/purl-spec@244fd47e07d1004#everybody/loves/dogs", ok: Some(P { ty: "github", namespace: Some("package-url"), name: "purl-spec", version: Some("244fd47e07d1004"), qualifiers: &[], subpath: Some("everybody/loves/dogs") }) },
    V { input: "pkg:bitbucket/birKenfeld/pyGments-main@244fd47e07d1014f0aed9c", ok: Some(P { ty: "bitbucket", namespace: Some("birkenfeld"), name: "pygments-main", version: Some("244fd47e07d1014f0aed9c"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:bitbucket/birkenfeld/pygments-main@244fd47e07d1014f0aed9c", ok: Some(P { ty: "bitbucket", namespace: Some("birkenfeld"), name: "pygments-main", version: Some("244fd47e07d1014f0aed9c"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:hex/jason@1.1.2", ok: Some(P { ty: "hex", namespace: None, name: "jason", version: Some("1.1.2"), qualifiers: &[], subpath: None }) },
    V { input: "pkg:hex/acme/foo@2.3.", ok: Some(P { ty: "hex", namespace: Some("acme"), name: "foo", version: Some("2.3."), qualifiers: &[], subpath: None }) },
    V { input: "pkg:hex/phoenix_html@2.13.3#priv/static/phoenix_html.js", ok: Some(P { ty: "hex", namespace: None, name: "phoenix_html", version: Some("2.13.3"), qualifiers: &[], subpath: Some("priv/static/phoenix_html.js") }) },
    V { input: "pkg:hex/bar@1.2.3?repository_url=https://myrepo.example.com", ok: Some(P { ty: "hex", namespace: None, name: "bar", version: Some("1.2.3"), qualifiers: &[("repository_url", "https://myrepo.example.com")], subpath: None }) },
    V { input: "pkg:alpm/arch/pacman@6.0.1-1?arch=x86_64", ok: Some(P { ty: "alpm", namespace: Some("arch"), name: "pacman", version: Some("6.0.1-1"), qualifiers: &[("arch", "x86_64")], subpath: None }) },
    V { input: "pkg:alpm/arch/python-pip@21.0-1?arch=any", ok: Some(P { ty: "alpm", namespace: Some("arch"), name: "python-pip", version: Some("21.0-1"), qualifiers: &[("arch", "any")], subpath: None }) },
    V { input: "pkg:alpm/arch/containers-common@1:0.47.4-4?arch=x86_64", ok: Some(P { ty: "alpm", namespace: Some("arch"), name: "containers-common", version: Some("1:0.47.4-4"), qualifiers: &[("arch", "x86_64")], subpath: None }) },
];

#[test]
fn purl_spec_test_suite() {
    let mut failures = Vec::new();
    for v in SPEC {
        let got = Purl::parse(v.input);
        match (&v.ok, got) {
            (None, Err(_)) => {}
            (None, Ok(p)) => failures.push(format!("{}: expected an error, got {p:?}", v.input)),
            (Some(_), Err(e)) => failures.push(format!("{}: {e}", v.input)),
            (Some(want), Ok(p)) => {
                let quals: Vec<(&str, &str)> = p
                    .qualifiers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let mut want_quals = want.qualifiers.to_vec();
                want_quals.sort();
                if p.ty != want.ty
                    || p.namespace.as_deref() != want.namespace
                    || p.name != want.name
                    || p.version.as_deref() != want.version
                    || quals != want_quals
                    || p.subpath.as_deref() != want.subpath
                {
                    failures.push(format!("{}: got {p:?}", v.input));
                }
                // The canonical form parses to the same components.
                let again = Purl::parse(&p.to_canonical()).unwrap();
                if again != p {
                    failures.push(format!(
                        "{}: canonical {} reparses as {again:?}",
                        v.input, p
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors fail:\n{}",
        failures.len(),
        SPEC.len(),
        failures.join("\n")
    );
}

#[test]
fn palisade_cases() {
    // Epochs and `+` in Debian versions, as trivy and palisade write them.
    let p = Purl::parse(
        "pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12.11&epoch=1",
    )
    .unwrap();
    assert_eq!(p.version.as_deref(), Some("2.38.1-5+deb12u3"));
    assert_eq!(p.qualifier("epoch"), Some("1"));
    assert_eq!(p.qualifier("distro"), Some("debian-12.11"));
    let p = Purl::parse("pkg:deb/debian/dpkg@1:1.19.0.4").unwrap();
    assert_eq!(p.version.as_deref(), Some("1:1.19.0.4"));
    // Go module paths are namespace + name.
    let p = Purl::parse("pkg:golang/github.com/gorilla/mux@v1.8.0").unwrap();
    assert_eq!(p.namespace.as_deref(), Some("github.com/gorilla"));
    assert_eq!(p.name, "mux");
    // PyPI names normalise.
    assert_eq!(
        Purl::parse("pkg:pypi/Zope_Interface@5").unwrap().name,
        "zope-interface"
    );
    // OCI digests in the version.
    let p = Purl::parse("pkg:oci/app@sha256%3AABCD?repository_url=ghcr.io/x/app&tag=1").unwrap();
    assert_eq!(p.version.as_deref(), Some("sha256:abcd"));
    assert_eq!(
        p.to_canonical(),
        "pkg:oci/app@sha256:abcd?repository_url=ghcr.io%2Fx%2Fapp&tag=1"
    );
    // Non-ASCII names survive percent-encoding.
    let p = Purl::parse("pkg:npm/%C3%A9t%C3%A9@1.0.0").unwrap();
    assert_eq!(p.name, "été");
    assert_eq!(Purl::parse(&p.to_canonical()).unwrap(), p);
}

#[test]
fn bad_purls_are_errors_naming_the_problem() {
    for (input, needle) in [
        ("", "no `pkg:` scheme"),
        ("pkg:", "no type"),
        ("http://x/y", "scheme is `http`"),
        ("pkg:npm/", "name is empty"),
        ("pkg:npm/a@1?x=%zz", "bad percent escape"),
        ("pkg:npm/%FF%FE@1", "not UTF-8"),
        ("pkg:npm/a@1?x=1&x=2", "given twice"),
        ("pkg:npm/a@1?1x=2", "qualifier key"),
        ("pkg:np m/a@1", "type"),
        ("pkg:npm/a%2Fb/c@1", "namespace segment contains `/`"),
    ] {
        let e = Purl::parse(input).unwrap_err().to_string();
        assert!(e.contains(needle), "{input:?}: {e}");
    }
    let long = format!("pkg:npm/{}", "a".repeat(MAX_PURL_LEN));
    assert!(Purl::parse(&long)
        .unwrap_err()
        .to_string()
        .contains("longer than"));
    // Control characters are not echoed raw.
    let e = Purl::parse("\u{1b}[31mhttp://x").unwrap_err().to_string();
    assert!(!e.contains('\u{1b}'));
}
