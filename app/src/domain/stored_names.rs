//! Enums stored in the database (and written in exports) under fixed names. The names are
//! given once, in the enum's declaration, and `ALL`, `as_str` and `parse` follow from it,
//! so that no stored name is spelt twice.

/// Declares an enum with its stored names:
///
/// ```ignore
/// stored_names! {
///     /// An account's state.
///     pub enum AccountStatus {
///         Invited = "invited",
///         Active = "active",
///     }
/// }
/// ```
macro_rules! stored_names {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $stored:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        $vis enum $name {
            $( $(#[$variant_meta])* #[serde(rename = $stored)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($stored),+].len()] = [$($name::$variant),+];

            /// The name stored in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $stored, )+
                }
            }

            /// The value of a stored name; `None` for a name this build does not know.
            pub fn parse(stored: &str) -> Option<$name> {
                match stored {
                    $( $stored => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // A row struct reads the column as the enum; a name this build does not know is a
        // damaged (or newer) row, refused rather than guessed at.
        #[cfg(feature = "ssr")]
        impl sqlx::Type<sqlx::Any> for $name {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }

            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        #[cfg(feature = "ssr")]
        impl<'r> sqlx::Decode<'r, sqlx::Any> for $name {
            fn decode(
                value: sqlx::any::AnyValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let stored = <String as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
                $name::parse(&stored)
                    .ok_or_else(|| format!("unknown value {stored:?}").into())
            }
        }
    };
}
pub(crate) use stored_names;

#[cfg(test)]
mod tests {
    stored_names! {
        enum Light {
            Red = "red",
            Green = "green",
        }
    }

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        assert_eq!(Light::ALL, [Light::Red, Light::Green]);
        for light in Light::ALL {
            assert_eq!(Light::parse(light.as_str()), Some(light));
        }
        assert_eq!(Light::Green.to_string(), "green");
        assert_eq!(Light::parse("Red"), None);
        // Serialized (to the browser, into audit snapshots) by the stored name too.
        assert_eq!(serde_json::to_string(&Light::Red).unwrap(), "\"red\"");
    }
}
